import { CompactEncrypt, compactDecrypt } from 'jose';
import { SESSION_TOKEN_TYPE, SessionTokenClaims, SessionTokenService, TOKEN_ISSUER, audienceOf } from './session-token.service';
import { TokenKeyRing, generateStoredKey } from './token-key-ring';

const now = Date.UTC(2026, 11, 3, 10, 0, 0);
const JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';
const claims: SessionTokenClaims = {
  sessionId: '01900000-0000-7000-8000-000000000001',
  product: 'my-product-tag',
  env: 'snd',
  tag: 'session-tag',
  identifier: 'dpop-user',
  data: { userId: 'dpop-user' },
  issuedAt: now,
  expiresAt: now + 3_600_000,
};

/** RFC 9449 §6.1: a session token bound to a key carries `cnf: { jkt }`. */
describe('SessionTokenService: cnf.jkt', () => {
  const key = generateStoredKey();
  const ring = TokenKeyRing.fromKeyFile({ keys: [key] });
  const service = new SessionTokenService(ring);
  const payloadOf = async (token: string) => JSON.parse(new TextDecoder().decode((await compactDecrypt(token, ring.activeKey)).plaintext));

  it('given a jkt, then the token carries cnf.jkt and check gives it back; without one, neither', async () => {
    const bound = await service.issue({ ...claims, jkt: JKT });
    expect((await payloadOf(bound)).cnf).toEqual({ jkt: JKT });
    expect(await service.check(bound, claims.product, claims.env, now)).toMatchObject({ valid: true, claims: { jkt: JKT } });

    const unbound = await service.issue(claims);
    expect(await payloadOf(unbound)).not.toHaveProperty('cnf');
    const check = await service.check(unbound, claims.product, claims.env, now);
    expect(check.valid && check.claims).not.toHaveProperty('jkt');
  });

  it('given a cnf that is not an object with a string jkt, then the token is invalid', async () => {
    for (const cnf of [{ x5t: 'abc' }, { jkt: 7 }, 'jkt', null]) {
      const payload = {
        sid: claims.sessionId,
        tag: claims.tag,
        data: claims.data,
        sub: claims.identifier,
        iss: TOKEN_ISSUER,
        aud: audienceOf(claims.product, claims.env),
        iat: now / 1000,
        exp: now / 1000 + 3600,
        cnf,
      };
      const token = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: key.kid, typ: SESSION_TOKEN_TYPE })
        .encrypt(ring.activeKey);
      expect([cnf, await service.check(token, claims.product, claims.env, now)]).toEqual([cnf, { valid: false, reason: 'invalid' }]);
    }
  });
});
