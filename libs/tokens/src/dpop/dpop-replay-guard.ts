/**
 * Remembers the proofs already accepted (RFC 9449 §11.1): a `jti` seen once is refused
 * for as long as its proof could still be accepted. In memory in embedded mode (one
 * process answers every verify), in Redis in distributed mode (any instance may get the
 * replay).
 */
export interface DpopReplayGuard {
  /** `claimed` the first time `key` is claimed within `ttlMs`; `replayed` after; `full` when it cannot remember one more. */
  claim(key: string, ttlMs: number): Promise<DpopClaim>;
}

export type DpopClaim = 'claimed' | 'replayed' | 'full';

export const DPOP_REPLAY_GUARD = Symbol('DPOP_REPLAY_GUARD');

/**
 * The embedded guard: proof ids with the time they may be forgotten, in insertion
 * order. Every entry lives the same time, so insertion order is expiry order and the
 * sweep stops at the first live one. Bounded: when full of live entries it refuses new
 * proofs rather than forget one that could still be replayed (fail closed); at the
 * default bound that takes ~2,800 bound verifies per second sustained for 70 s.
 */
export class MemoryDpopReplayGuard implements DpopReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly maxEntries = 200_000,
  ) {}

  async claim(key: string, ttlMs: number): Promise<DpopClaim> {
    const now = this.clock();
    this.sweep(now);
    const forgetAt = this.seen.get(key);
    if (forgetAt !== undefined && forgetAt > now) return 'replayed';
    if (this.seen.size >= this.maxEntries) return 'full';
    // Deleted first so that an entry the sweep left (another TTL) goes to the end again.
    this.seen.delete(key);
    this.seen.set(key, now + ttlMs);
    return 'claimed';
  }

  get size(): number {
    return this.seen.size;
  }

  private sweep(now: number): void {
    for (const [key, forgetAt] of this.seen) {
      if (forgetAt > now) return;
      this.seen.delete(key);
    }
  }
}
