import { KeyObject, constants, createHash, createPublicKey, verify } from 'node:crypto';
import { jwkThumbprint } from './jwk-thumbprint';

/** RFC 9449 §4.2: the `typ` of every DPoP proof; anything else is another kind of JWT. */
export const DPOP_PROOF_TYPE = 'dpop+jwt';

/**
 * How old a proof may be (its `iat` before our clock) and how far ahead of our clock its
 * `iat` may lie (a client's clock running fast). A proof is made for one request and sent
 * at once: a minute covers a slow network and a clock a little behind; 10 s covers one a
 * little ahead. A proof's `jti` is remembered for the whole window (DPOP_JTI_TTL_MS).
 */
export const DPOP_PROOF_MAX_AGE_MS = 60_000;
export const DPOP_PROOF_MAX_FUTURE_MS = 10_000;
/** Every proof accepted now stops being acceptable within this time: how long its jti is kept. */
export const DPOP_JTI_TTL_MS = DPOP_PROOF_MAX_AGE_MS + DPOP_PROOF_MAX_FUTURE_MS;

/** Bounds on what a proof may carry, so that a caller cannot make us hash or remember megabytes. */
export const DPOP_PROOF_MAX_LENGTH = 8 * 1024;
export const DPOP_JTI_MAX_LENGTH = 256;
const MIN_RSA_BITS = 2048;

/** What the product's backend forwards: the proof its client sent, and the request it came with. */
export interface DpopPresentation {
  /** The `DPoP` header's value: a compact JWS. */
  proof: string;
  /** The request's method, as received (`GET`, `POST`). */
  method: string;
  /** The request's absolute URL as the client addressed it; query and fragment are ignored. */
  url: string;
}

/** What the proof must match: the key the token is bound to, and the token it is sent with. */
export interface DpopBinding {
  /** The token's `cnf.jkt`: RFC 7638 SHA-256 thumbprint of the client's public key. */
  jkt: string;
  /** The session token the proof goes with: `ath` is its SHA-256. */
  accessToken: string;
}

export type DpopProofCheck = { valid: true; jti: string } | { valid: false; problem: string };

interface Algorithm {
  /** Key type the JWK must have, and for EC/OKP its curve(s). */
  kty: 'EC' | 'RSA' | 'OKP';
  curves?: readonly string[];
  /** Digest for node:crypto's verify; null for EdDSA, which hashes itself. */
  hash: string | null;
  pss?: boolean;
  /** ECDSA signatures are r || s (RFC 7518 §3.4), each of this many bytes. */
  ecdsaHalf?: number;
}

/**
 * Asymmetric algorithms only (RFC 9449 §4.2: no `none`, no MAC): a proof must be
 * checkable by anyone with the public key and made only by the holder of the private one.
 */
const ALGORITHMS: Readonly<Record<string, Algorithm>> = {
  ES256: { kty: 'EC', curves: ['P-256'], hash: 'sha256', ecdsaHalf: 32 },
  ES384: { kty: 'EC', curves: ['P-384'], hash: 'sha384', ecdsaHalf: 48 },
  ES512: { kty: 'EC', curves: ['P-521'], hash: 'sha512', ecdsaHalf: 66 },
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  PS256: { kty: 'RSA', hash: 'sha256', pss: true },
  PS384: { kty: 'RSA', hash: 'sha384', pss: true },
  PS512: { kty: 'RSA', hash: 'sha512', pss: true },
  EdDSA: { kty: 'OKP', curves: ['Ed25519', 'Ed448'], hash: null },
};
export const DPOP_ALGORITHMS: readonly string[] = Object.keys(ALGORITHMS);

/** JWK members that only a private or a symmetric key has: a proof's `jwk` must be public (RFC 9449 §4.2). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Public keys already imported, by thumbprint: a client signs every proof with the same
 * key, and importing a JWK costs more than the signature check. The thumbprint covers
 * every member the import reads, so one thumbprint is one key. Bounded: the oldest goes.
 */
export class DpopKeyCache {
  private readonly keys = new Map<string, KeyObject>();

  constructor(private readonly maxEntries = 4096) {}

  keyFor(jkt: string, jwk: Record<string, unknown>): KeyObject {
    let key = this.keys.get(jkt);
    if (key) return key;
    key = createPublicKey({ key: jwk, format: 'jwk' });
    if (this.keys.size >= this.maxEntries) this.keys.delete(this.keys.keys().next().value as string);
    this.keys.set(jkt, key);
    return key;
  }
}

/**
 * Checks a DPoP proof (RFC 9449 §4.3) against the request it came with and the token
 * it goes with, at `now`: everything but the `jti`'s first use, which needs a store
 * (DpopProofVerifier). Says what is wrong in `problem` for the product's developers.
 */
export function checkDpopProof(presented: DpopPresentation, binding: DpopBinding, now: number, keys: DpopKeyCache): DpopProofCheck {
  const refuse = (problem: string): DpopProofCheck => ({ valid: false, problem });
  if (presented.proof.length > DPOP_PROOF_MAX_LENGTH) return refuse('the proof is too long');
  const parts = presented.proof.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) return refuse('the proof is not a compact JWS');
  const header = decodeJson(parts[0]);
  if (!header) return refuse('the proof header is not a JSON object');
  if (header.typ !== DPOP_PROOF_TYPE) return refuse(`the proof's typ must be ${DPOP_PROOF_TYPE}`);
  // RFC 7515 §4.1.11: extensions marked critical must be understood, and we know none.
  if ('crit' in header) return refuse('the proof header must not carry crit');
  const alg = typeof header.alg === 'string' ? ALGORITHMS[header.alg] : undefined;
  if (!alg) return refuse(`the proof's alg must be one of ${DPOP_ALGORITHMS.join(', ')}`);
  const jwk = header.jwk;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return refuse('the proof header has no jwk');
  const publicJwk = jwk as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((name) => name in publicJwk)) return refuse('the proof jwk must be a public key');
  if (publicJwk.kty !== alg.kty || (alg.curves && !alg.curves.includes(publicJwk.crv as string))) {
    return refuse(`the proof jwk does not fit alg ${String(header.alg)}`);
  }
  const jkt = jwkThumbprint(publicJwk);
  if (jkt === undefined) return refuse('the proof jwk lacks members its key type requires');
  if (jkt !== binding.jkt) return refuse("the proof is signed with another key than the token's");

  let key: KeyObject;
  try {
    key = keys.keyFor(jkt, publicJwk);
  } catch {
    return refuse('the proof jwk is not a valid public key');
  }
  if (alg.kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) return refuse(`RSA keys must have at least ${MIN_RSA_BITS} bits`);
  const signature = Buffer.from(parts[2], 'base64url');
  if (alg.ecdsaHalf !== undefined && signature.length !== alg.ecdsaHalf * 2) return refuse('the proof signature has the wrong length');
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const options = alg.pss
    ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
    : alg.ecdsaHalf !== undefined
      ? { key, dsaEncoding: 'ieee-p1363' as const }
      : key;
  let verified: boolean;
  try {
    verified = verify(alg.hash, signed, options, signature);
  } catch {
    verified = false;
  }
  if (!verified) return refuse('the proof signature does not verify');

  const claims = decodeJson(parts[1]);
  if (!claims) return refuse('the proof claims are not a JSON object');
  if (claims.htm !== presented.method) return refuse('the proof htm does not match the request method');
  if (typeof claims.htu !== 'string' || !sameTarget(claims.htu, presented.url)) return refuse('the proof htu does not match the request URL');
  if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) return refuse('the proof has no iat');
  const issuedAt = claims.iat * 1000;
  if (issuedAt < now - DPOP_PROOF_MAX_AGE_MS) return refuse('the proof is too old (iat)');
  if (issuedAt > now + DPOP_PROOF_MAX_FUTURE_MS) return refuse('the proof is issued in the future (iat)');
  if (typeof claims.jti !== 'string' || claims.jti.length === 0 || claims.jti.length > DPOP_JTI_MAX_LENGTH) {
    return refuse(`the proof needs a jti of 1 to ${DPOP_JTI_MAX_LENGTH} characters`);
  }
  if (claims.ath !== accessTokenHash(binding.accessToken)) return refuse('the proof ath does not match the token');
  return { valid: true, jti: claims.jti };
}

/** RFC 9449 §4.2 `ath`: base64url of the SHA-256 of the access token's ASCII. */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/**
 * RFC 9449 §4.3 step 9: `htu` matches the request's URI ignoring query and fragment,
 * after RFC 3986 §6 normalisation. WHATWG URL parsing does the syntax-based part (case
 * of scheme and host, default port dropped, dot segments removed); both sides go
 * through it, and only http(s) URLs count.
 */
export function sameTarget(htu: string, requestUrl: string): boolean {
  const a = targetOf(htu);
  return a !== undefined && a === targetOf(requestUrl);
}

function targetOf(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  return `${parsed.origin}${parsed.pathname}`;
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
