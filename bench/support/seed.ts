/**
 * The start-session body of the product's seed document. `[<id>]` makes every request
 * a different user (autocannon replaces it per request), so the identifier index and
 * the read model see many users rather than one hot key.
 */
export function seedSessionBody(userId = '[<id>]'): string {
  return JSON.stringify({
    product: 'my-product-tag',
    env: 'snd',
    tag: 'session-tag',
    data: { userId, details: { username: 'feekayo', email: 'fikayo@ductape.app' } },
  });
}

export const SEED_KEY = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' } as const;

/** The start-session load every HTTP benchmark shares: 50 connections, as the target states. */
export function startSessionLoad(quick: boolean): { connections: number; warmupS: number; durationS: number } {
  return { connections: 50, warmupS: quick ? 1 : 3, durationS: quick ? 5 : 20 };
}
