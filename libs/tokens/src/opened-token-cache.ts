/**
 * Tokens this process has already opened, by their exact text. A product verifies the
 * same session token on every call its user makes until it expires, and opening one
 * (AES-GCM: a decipher context per call, base64url round trips, JSON.parse) was most of
 * a verify's own CPU. Only tokens that decrypted are kept, so garbage cannot fill it,
 * and only small ones; the ring's keys are fixed for the process's life, so a token that
 * opened once opens again to the same text. Expiry, audience and revocation are still
 * checked on every call by the caller. Bounded: the oldest entry makes room.
 */
export class OpenedTokenCache<T> {
  private readonly entries = new Map<string, T>();

  constructor(
    private readonly maxEntries = 4096,
    private readonly maxTokenLength = 4096,
  ) {}

  get(token: string): T | undefined {
    return this.entries.get(token);
  }

  set(token: string, value: T): void {
    if (token.length > this.maxTokenLength || this.maxEntries === 0) return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, value);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Freezes a parsed JSON value all the way down, so one cached value can be handed to every caller. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
