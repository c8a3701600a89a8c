/** Days are whole UTC days of 86,400,000 ms: a cutoff is an instant, not a calendar date. */
export const DAY_MS = 86_400_000;

/**
 * How long one product's events are kept (the config file's `products[].retention`):
 * `days` for every env of the product, `envs` overriding it per env. A product without
 * an entry, and an env with neither, keeps its events forever.
 */
export interface ProductRetention {
  product: string;
  days?: number;
  envs: Readonly<Record<string, number>>;
}

/**
 * Events of `product` that happened before `before` (Unix ms) are past retention: in
 * `env` only, or, for the product's default, in every env but `exceptEnvs` (those have
 * their own cutoff). The read model and the embedded log are pruned with the same
 * cutoffs, so both keep the same events.
 */
export interface RetentionCutoff {
  product: string;
  env?: string;
  exceptEnvs: readonly string[];
  days: number;
  before: number;
}

/** The cutoffs in force at `now`: one per product default and one per env override. */
export function retentionCutoffs(policies: readonly ProductRetention[], now: number): RetentionCutoff[] {
  return policies.flatMap((policy) => {
    const overridden = Object.keys(policy.envs).sort();
    const perEnv = overridden.map((env) => cutoff(policy.product, policy.envs[env], now, { env }));
    return policy.days === undefined ? perEnv : [cutoff(policy.product, policy.days, now, { exceptEnvs: overridden }), ...perEnv];
  });
}

function cutoff(product: string, days: number, now: number, scope: { env: string } | { exceptEnvs: string[] }): RetentionCutoff {
  const before = now - days * DAY_MS;
  return 'env' in scope ? { product, env: scope.env, exceptEnvs: [], days, before } : { product, exceptEnvs: scope.exceptEnvs, days, before };
}
