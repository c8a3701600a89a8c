/**
 * Key layout of the Redis stores, in one place so the stores and the rebuild agree.
 * Parts that come from callers (product, env, tag, identifier) are URI-encoded: a ':'
 * inside an identifier must not make two different identifiers share an index key.
 */
export class RedisKeys {
  constructor(private readonly prefix: string) {}

  session(sessionId: string): string {
    return `${this.prefix}:session:${encodeURIComponent(sessionId)}`;
  }

  /** The latest use of a session recorded by `recordUses`, beside its record (same expiry). */
  lastUse(sessionId: string): string {
    return `${this.prefix}:used:${encodeURIComponent(sessionId)}`;
  }

  identifier(product: string, env: string, tag: string, identifier: string): string {
    return `${this.prefix}:ident:${[product, env, tag, identifier].map(encodeURIComponent).join(':')}`;
  }

  /**
   * A SCAN pattern matching the identifier index of one user in every env and tag of a
   * product. The parts are URI-encoded, which leaves of glob's specials only `*`: escaped.
   */
  identifierPattern(product: string, identifier: string): string {
    const glob = (part: string): string => encodeURIComponent(part).replace(/\*/g, '\\*');
    return `${this.prefix}:ident:${glob(product)}:*:*:${glob(identifier)}`;
  }

  /** A DPoP proof already accepted (its key thumbprint and jti), kept for the proof's lifetime. */
  dpopProof(proofKey: string): string {
    return `${this.prefix}:dpop:${encodeURIComponent(proofKey)}`;
  }

  revoked(): string {
    return `${this.prefix}:revoked`;
  }

  revocationChannel(): string {
    return `${this.prefix}:revocations`;
  }

  specs(): string {
    return `${this.prefix}:specs`;
  }

  /** Every key the stores write, for the rebuild to clear them first. */
  pattern(): string {
    return `${this.prefix}:*`;
  }
}

/** Hash field of a spec: the unit separator cannot occur in a product or tag name. */
export function specField(product: string, tag: string): string {
  return `${product}\u001f${tag}`;
}
