import { createHash, timingSafeEqual } from 'node:crypto';
import { takeRandomBytes } from './random-pool';

const PREFIX = 'wmr1';
const SECRET_BYTES = 32;

export interface IssuedRefreshToken {
  /** Handed to the client once; never stored. */
  token: string;
  /** What the session store keeps. */
  hash: string;
}

export interface ParsedRefreshToken {
  sessionId: string;
  secret: string;
}

/**
 * Refresh tokens are opaque: `wmr1.<sessionId>.<256 random bits>`. The session id
 * lets the server find the session; only a SHA-256 of the secret is stored. A plain
 * hash suffices (no slow KDF) because the secret has full entropy.
 */
export function issueRefreshToken(sessionId: string): IssuedRefreshToken {
  const secret = takeRandomBytes(SECRET_BYTES).toString('base64url');
  return { token: `${PREFIX}.${sessionId}.${secret}`, hash: hashRefreshSecret(secret) };
}

export function hashRefreshSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

export function parseRefreshToken(token: string): ParsedRefreshToken | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX || parts[2].length !== 43) return undefined;
  return { sessionId: parts[1], secret: parts[2] };
}

/**
 * Constant-time comparison of a presented secret against one stored hash. The refresh
 * decision itself compares the presented hash with the current and every spent hash
 * through the domain's `findConstantTime` (also `crypto.timingSafeEqual`, no early exit).
 */
export function refreshSecretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashRefreshSecret(secret));
  const stored = Buffer.from(storedHash);
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
