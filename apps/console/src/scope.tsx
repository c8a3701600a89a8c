/** What the key may see: GET /v1/analytics/scope (products, their envs within the key, session tags). */
export interface Scope {
  openDevelopment: boolean;
  products: Array<{ product: string; name: string; envs: string[]; tags: Array<{ tag: string; name: string }> }>;
}

export const SCOPE_PATH = '/v1/analytics/scope';
