import { DomainError, SessionCatalog } from '@waymark/domain';
import { AnalyticsScope } from '@waymark/read-model';
import { Principal } from '../auth/principal';

/** What the calling key may see, taken from its principal by the controller. */
export interface AnalyticsAccess {
  envs: ReadonlySet<string> | '*';
  /**
   * Whether decrypted session data may be shown. Keys with the `admin` role (and the
   * bootstrap / open-development principal, which holds every role) see it; `read`-only
   * keys get `data: null, dataRedacted: true`.
   */
  canReadData: boolean;
}

export function accessOf(principal: Principal): AnalyticsAccess {
  return { envs: principal.envs, canReadData: principal.roles.has('admin') };
}

/**
 * The scope a query runs in: the product and env checked against configuration (422
 * naming the field), and without `env` every env of the product that the key may read.
 * The guard has already refused (403) a product or env named outside the key's scope.
 */
export function resolveScope(catalog: SessionCatalog, access: AnalyticsAccess, product: string, env: string | undefined, tag: string): AnalyticsScope {
  const definition = catalog.requireProduct(product, env);
  const candidates = env !== undefined ? [env] : definition.envs;
  const envs = candidates.filter((candidate) => access.envs === '*' || access.envs.has('*') || access.envs.has(candidate));
  if (envs.length === 0) throw DomainError.forField('FORBIDDEN', 'env', `this API key may read no env of product '${product}'`);
  return { product, envs, tag };
}
