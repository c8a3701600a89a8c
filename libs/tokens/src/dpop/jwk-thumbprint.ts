import { createHash } from 'node:crypto';

/**
 * The members of a public JWK that its RFC 7638 thumbprint covers, in the order the
 * RFC asks (lexicographic): EC and RSA from RFC 7638 §3.2, OKP from RFC 8037 §2.
 * Symmetric keys (`oct`) have no place in DPoP: a proof is checked with a public key.
 */
const REQUIRED_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
};

/**
 * A JWK SHA-256 thumbprint as base64url: 32 bytes are 43 characters, and the last one
 * carries 2 unused bits that must be zero, so only 16 characters can end a canonical one.
 */
export const JWK_THUMBPRINT_PATTERN = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** Whether `value` has the form of an RFC 7638 SHA-256 thumbprint in base64url (no padding). */
export function isJwkThumbprint(value: string): boolean {
  return JWK_THUMBPRINT_PATTERN.test(value);
}

/**
 * The RFC 7638 SHA-256 thumbprint (base64url) of a public JWK, or undefined when the
 * key's type is not one DPoP can use or a required member is missing or not a string.
 * Only the required members count, so extra members (`kid`, `alg`, `use`) change nothing.
 */
export function jwkThumbprint(key: object): string | undefined {
  // Any object: a JWK type from a library (jose's JWK, node's JsonWebKey) has no index signature.
  const jwk = key as Readonly<Record<string, unknown>>;
  const members = typeof jwk.kty === 'string' ? REQUIRED_MEMBERS[jwk.kty] : undefined;
  if (!members) return undefined;
  const parts: string[] = [];
  for (const name of members) {
    const value = jwk[name];
    if (typeof value !== 'string') return undefined;
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
  }
  return createHash('sha256')
    .update(`{${parts.join(',')}}`)
    .digest('base64url');
}
