import { CompactJwe } from './compact-jwe';
import { OpenedTokenCache, deepFreeze } from './opened-token-cache';
import { TokenKeyRing } from './token-key-ring';

export const TOKEN_ISSUER = 'waymark';
/** Distinct `typ` per token kind (RFC 8725 §3.11) so no other JWT can pass as a session token. */
export const SESSION_TOKEN_TYPE = 'wm-session+jwt';

export interface SessionTokenClaims {
  sessionId: string;
  product: string;
  env: string;
  tag: string;
  identifier: string;
  data: Record<string, unknown>;
  expiresAt: number;
  issuedAt: number;
  /** When the session started (OIDC `auth_time`), the same in every token of the session; absent in tokens minted before it was written. */
  authTime?: number;
  /** The session's absolute end and idle timeout (docs/session-timeouts.md); absent in older tokens. */
  absoluteExpiresAt?: number;
  idleTimeoutMs?: number;
  /** The thumbprint of the client key the token is bound to (RFC 9449 §6.1 `cnf.jkt`); absent: not bound. */
  jkt?: string;
}

export type TokenCheck = { valid: true; claims: SessionTokenClaims } | { valid: false; reason: 'expired' | 'invalid' | 'absolute' };

/**
 * How far ahead of our clock a token's `nbf` may lie and the token still be accepted:
 * the clocks of two instances (or of a signer elsewhere) are never exactly equal, and
 * a token refused for being a few seconds early helps nobody (RFC 7519 §4.1.5 allows "a
 * small leeway, usually no more than a few minutes").
 */
export const NOT_BEFORE_LEEWAY_MS = 30_000;

/** Audience binds a token to one product and env: a token minted for `snd` is refused in `prd`. */
export function audienceOf(product: string, env: string): string {
  return `${product}:${env}`;
}

/** The JWT claims set inside a session token (RFC 7519 names; `sid`, `tag`, `data` ours). */
interface SessionTokenPayload {
  sid: string;
  tag: string;
  data: Record<string, unknown>;
  sub: string;
  iss: string;
  /** Ours, or an array containing ours (RFC 7519 §4.1.3). */
  aud: string | string[];
  iat: number;
  exp: number;
  /** Not before (RFC 7519 §4.1.5): the issue time in our tokens; absent in tokens minted before it was written. */
  nbf?: number;
  /** The session's start (OIDC Core §2 `auth_time`), seconds. */
  auth_time?: number;
  /** Ours: the session's absolute end (seconds) and its idle timeout (seconds). */
  axp?: number;
  idl?: number;
  /** RFC 7800 confirmation: the DPoP key's thumbprint (RFC 9449 §6.1). */
  cnf?: { jkt: string };
}

/**
 * Session tokens are JWE (`dir` + `A256GCM`): the user's data travels inside, and
 * without the key nothing of it is readable. Encryption also authenticates, so a
 * tampered token fails to decrypt. No compression before encryption (RFC 8725 §3.6).
 * The header allow-list (alg, enc, typ, kid) is enforced by CompactJwe; the claims
 * (iss, aud, exp, and the ones we need present) are checked here.
 */
export class SessionTokenService {
  private readonly jwe: CompactJwe;
  // Payloads are frozen: one cached payload (and its `data`) goes to every caller.
  private readonly opened = new OpenedTokenCache<SessionTokenPayload>();

  constructor(keys: TokenKeyRing) {
    this.jwe = new CompactJwe(keys, SESSION_TOKEN_TYPE);
  }

  async issue(claims: SessionTokenClaims): Promise<string> {
    const payload: SessionTokenPayload = {
      sid: claims.sessionId,
      tag: claims.tag,
      data: claims.data,
      sub: claims.identifier,
      iss: TOKEN_ISSUER,
      aud: audienceOf(claims.product, claims.env),
      iat: Math.floor(claims.issuedAt / 1000),
      exp: Math.floor(claims.expiresAt / 1000),
      nbf: Math.floor(claims.issuedAt / 1000),
      ...(claims.authTime === undefined ? {} : { auth_time: Math.floor(claims.authTime / 1000) }),
      ...(claims.absoluteExpiresAt === undefined ? {} : { axp: Math.floor(claims.absoluteExpiresAt / 1000) }),
      ...(claims.idleTimeoutMs === undefined ? {} : { idl: Math.ceil(claims.idleTimeoutMs / 1000) }),
      ...(claims.jkt === undefined ? {} : { cnf: { jkt: claims.jkt } }),
    };
    return this.jwe.encrypt(JSON.stringify(payload));
  }

  async check(token: string, product: string, env: string, now: number): Promise<TokenCheck> {
    const payload = this.open(token);
    if (!payload || payload.iss !== TOKEN_ISSUER || !isAudience(payload.aud, audienceOf(product, env))) return { valid: false, reason: 'invalid' };
    // RFC 7519 §4.1.5: not accepted before nbf, with a small leeway for clock skew.
    if (payload.nbf !== undefined && now + NOT_BEFORE_LEEWAY_MS < payload.nbf * 1000) return { valid: false, reason: 'invalid' };
    // Past the session's absolute end nothing of it is valid; said as such (exp is never later).
    if (payload.axp !== undefined && now >= payload.axp * 1000) return { valid: false, reason: 'absolute' };
    // RFC 7519 §4.1.4: not accepted on or after exp (no leeway: both ends are our clock).
    if (Math.floor(now / 1000) >= payload.exp) return { valid: false, reason: 'expired' };
    return {
      valid: true,
      claims: {
        sessionId: payload.sid,
        product,
        env,
        tag: payload.tag,
        identifier: payload.sub,
        data: payload.data,
        expiresAt: payload.exp * 1000,
        issuedAt: payload.iat * 1000,
        ...(payload.auth_time === undefined ? {} : { authTime: payload.auth_time * 1000 }),
        ...(payload.axp === undefined ? {} : { absoluteExpiresAt: payload.axp * 1000 }),
        ...(payload.idl === undefined ? {} : { idleTimeoutMs: payload.idl * 1000 }),
        ...(payload.cnf === undefined ? {} : { jkt: payload.cnf.jkt }),
      },
    };
  }

  /** The token's claims set if it decrypts with our keys and is well-formed; remembered when it does. */
  private open(token: string): SessionTokenPayload | undefined {
    const cached = this.opened.get(token);
    if (cached) return cached;
    const plaintext = this.jwe.decrypt(token);
    const payload = plaintext === undefined ? undefined : parsePayload(plaintext);
    if (payload) this.opened.set(token, deepFreeze(payload));
    return payload;
  }
}

/** The claims, when every one we rely on is present with its type; otherwise undefined. */
function parsePayload(plaintext: string): SessionTokenPayload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(plaintext);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const claims = value as Record<string, unknown>;
  const data = claims.data ?? {};
  if (
    typeof claims.sid !== 'string' ||
    typeof claims.tag !== 'string' ||
    typeof claims.sub !== 'string' ||
    typeof claims.iss !== 'string' ||
    !isAudienceClaim(claims.aud) ||
    !optionalNumber(claims.nbf) ||
    !optionalNumber(claims.auth_time) ||
    !optionalNumber(claims.axp) ||
    !optionalNumber(claims.idl) ||
    !Number.isFinite(claims.iat) ||
    !Number.isFinite(claims.exp) ||
    typeof data !== 'object' ||
    data === null ||
    Array.isArray(data) ||
    !isConfirmation(claims.cnf)
  ) {
    return undefined;
  }
  return { ...(claims as unknown as SessionTokenPayload), data: data as Record<string, unknown> };
}

/** `cnf` absent, or an object whose `jkt` is a string: a token with another confirmation is not ours. */
function isConfirmation(cnf: unknown): boolean {
  return cnf === undefined || (typeof cnf === 'object' && cnf !== null && typeof (cnf as { jkt?: unknown }).jkt === 'string');
}

/** RFC 7519 §4.1.3: `aud` is one string or an array of strings; ours must be among them. */
function isAudience(aud: string | string[], ours: string): boolean {
  return typeof aud === 'string' ? aud === ours : aud.includes(ours);
}

function isAudienceClaim(aud: unknown): aud is string | string[] {
  return typeof aud === 'string' || (Array.isArray(aud) && aud.every((entry) => typeof entry === 'string'));
}

function optionalNumber(value: unknown): boolean {
  return value === undefined || Number.isFinite(value);
}
