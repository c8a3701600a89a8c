import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const API_KEY_PATTERN = /^wmk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface MintedApiKey {
  /** Shown once to whoever creates the key; never stored. */
  key: string;
  id: string;
  /** What the configuration keeps. */
  secretHash: string;
}

/**
 * API keys are `wmk_<12-char id>_<256-bit secret>`. The id finds the key's entry; only
 * a SHA-256 of the secret is stored, compared in constant time.
 */
export function mintApiKey(): MintedApiKey {
  const idBytes = randomBytes(12);
  const id = Array.from(idBytes, (byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('');
  const secret = randomBytes(32).toString('base64url');
  return { key: `wmk_${id}_${secret}`, id, secretHash: hashApiKeySecret(secret) };
}

export function hashApiKeySecret(secret: string): string {
  return 'sha256:' + createHash('sha256').update(secret).digest('base64url');
}

export function parseApiKey(key: string): { id: string; secret: string } | undefined {
  const match = API_KEY_PATTERN.exec(key);
  return match ? { id: match[1], secret: match[2] } : undefined;
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
