/**
 * DPoP helpers for a product's backend (docs/dpop.md). `jwkThumbprint` gives the `jkt`
 * to start a bound session with, from the public JWK the client registered: RFC 7638
 * SHA-256, base64url; undefined for a key type DPoP cannot use (EC, RSA, OKP only).
 */
export { jwkThumbprint } from '@waymark/tokens';
export type { DpopPresentation } from '@waymark/tokens';
