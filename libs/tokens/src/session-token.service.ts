import { EncryptJWT, jwtDecrypt, errors as joseErrors } from 'jose';
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

export type TokenCheck =
  | { valid: true; claims: SessionTokenClaims }
  | { valid: false; reason: 'expired' | 'invalid' };

/** Audience binds a token to one product and env: a token minted for `snd` is refused in `prd`. */
export function audienceOf(product: string, env: string): string {
  return `${product}:${env}`;
}

/**
 * Session tokens are JWE (`dir` + `A256GCM`): the user's data travels inside, and
 * without the key nothing of it is readable. Encryption also authenticates, so a
 * tampered token fails to decrypt. No compression before encryption (RFC 8725 §3.6).
 */
export class SessionTokenService {
  constructor(private readonly keys: TokenKeyRing) {}

  async issue(claims: SessionTokenClaims): Promise<string> {
    return new EncryptJWT({
      sid: claims.sessionId,
      tag: claims.tag,
      data: claims.data,
    })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: this.keys.activeKid, typ: SESSION_TOKEN_TYPE })
      .setSubject(claims.identifier)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(audienceOf(claims.product, claims.env))
      .setIssuedAt(Math.floor(claims.issuedAt / 1000))
      .setExpirationTime(Math.floor(claims.expiresAt / 1000))
      .encrypt(this.keys.activeKey);
  }

  async check(token: string, product: string, env: string, now: number): Promise<TokenCheck> {
    try {
      const { payload } = await jwtDecrypt(token, (header) => this.resolveKey(header.kid), {
        issuer: TOKEN_ISSUER,
        audience: audienceOf(product, env),
        typ: SESSION_TOKEN_TYPE,
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
        currentDate: new Date(now),
        requiredClaims: ['exp', 'iat', 'sub', 'sid'],
      });
      return {
        valid: true,
        claims: {
          sessionId: String(payload.sid),
          product,
          env,
          tag: String(payload.tag),
          identifier: String(payload.sub),
          data: (payload.data ?? {}) as Record<string, unknown>,
          expiresAt: (payload.exp as number) * 1000,
          issuedAt: (payload.iat as number) * 1000,
        },
      };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return { valid: false, reason: 'expired' };
      return { valid: false, reason: 'invalid' };
    }
  }

  private resolveKey(kid: unknown) {
    const key = this.keys.keyFor(kid);
    if (!key) throw new joseErrors.JWEDecryptionFailed();
    return key;
  }
}
