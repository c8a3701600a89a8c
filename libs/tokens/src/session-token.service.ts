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
}

export type TokenCheck = { valid: true; claims: SessionTokenClaims } | { valid: false; reason: 'expired' | 'invalid' };

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
  aud: string;
  iat: number;
  exp: number;
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
    };
    return this.jwe.encrypt(JSON.stringify(payload));
  }

  async check(token: string, product: string, env: string, now: number): Promise<TokenCheck> {
    const payload = this.open(token);
    if (!payload || payload.iss !== TOKEN_ISSUER || payload.aud !== audienceOf(product, env)) return { valid: false, reason: 'invalid' };
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
    typeof claims.aud !== 'string' ||
    !Number.isFinite(claims.iat) ||
    !Number.isFinite(claims.exp) ||
    typeof data !== 'object' ||
    data === null ||
    Array.isArray(data)
  ) {
    return undefined;
  }
  return { ...(claims as unknown as SessionTokenPayload), data: data as Record<string, unknown> };
}
