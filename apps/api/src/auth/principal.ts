import { ApiKeyRole } from '@waymark/config';

/** Who is calling: an API key's scope and roles. */
export interface Principal {
  keyId: string;
  name: string;
  /** `*` for the bootstrap key, which may act on every product. */
  product: string;
  envs: ReadonlySet<string> | '*';
  roles: ReadonlySet<ApiKeyRole>;
  rateLimit?: { perSecond: number; burst: number };
}

export function allowsProduct(principal: Principal, product: string): boolean {
  return principal.product === '*' || principal.product === product;
}

export function allowsEnv(principal: Principal, env: string): boolean {
  return principal.envs === '*' || principal.envs.has('*') || principal.envs.has(env);
}
