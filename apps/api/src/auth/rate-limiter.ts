interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets per API key, in this process. A key may spend `burst` requests at
 * once and earns `perSecond` back. With several API instances each holds its own
 * buckets, so a key's effective limit is the per-instance limit times the instances.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** Takes one request's token; returns 0 when allowed, otherwise seconds to wait. */
  take(keyId: string, limit: { perSecond: number; burst: number }, now: number): number {
    let bucket = this.buckets.get(keyId);
    if (!bucket) {
      bucket = { tokens: limit.burst, updatedAt: now };
      this.buckets.set(keyId, bucket);
    }
    bucket.tokens = Math.min(limit.burst, bucket.tokens + ((now - bucket.updatedAt) / 1000) * limit.perSecond);
    bucket.updatedAt = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / limit.perSecond));
  }
}
