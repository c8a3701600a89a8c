import { EncryptJWT, JWTPayload, jwtDecrypt } from 'jose';
import { NOT_BEFORE_LEEWAY_MS, SESSION_TOKEN_TYPE, SessionTokenClaims, SessionTokenService, TOKEN_ISSUER, audienceOf } from './session-token.service';
import { TokenKeyRing, generateStoredKey } from './token-key-ring';

/*
 * The registered claims (nbf, aud, auth_time) as another JOSE implementation writes them:
 * tokens made with jose's EncryptJWT under our key, checked by ours; and ours read by jose.
 */
const now = Date.UTC(2026, 10, 26, 10, 0, 0);
const seconds = (ms: number) => Math.floor(ms / 1000);
const key = generateStoredKey();
const ring = TokenKeyRing.fromKeyFile({ keys: [key] });
const service = new SessionTokenService(ring);
const ours = audienceOf('my-product-tag', 'snd');

/** A session token as jose makes it: our header (members in the one order CompactJwe accepts), our key; the claims given over a valid base. */
function joseToken(claims: JWTPayload): Promise<string> {
  const payload: JWTPayload = {
    sid: '01900000-0000-7000-8000-000000000001',
    tag: 'session-tag',
    data: { userId: 'u-1' },
    sub: 'u-1',
    iss: TOKEN_ISSUER,
    aud: ours,
    iat: seconds(now),
    exp: seconds(now + 3_600_000),
    ...claims,
  };
  return new EncryptJWT(payload).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: key.kid, typ: SESSION_TOKEN_TYPE }).encrypt(ring.activeKey);
}

const check = (token: string, at = now) => service.check(token, 'my-product-tag', 'snd', at);

describe('session token claims (tokens made by jose)', () => {
  it('accepts a jose-made token with none of the new claims (as minted before them)', async () => {
    expect(await check(await joseToken({}))).toMatchObject({ valid: true, claims: { sessionId: '01900000-0000-7000-8000-000000000001' } });
  });

  describe('nbf (RFC 7519 §4.1.5)', () => {
    it('refuses a token whose nbf lies beyond the clock-skew leeway', async () => {
      const token = await joseToken({ nbf: seconds(now + NOT_BEFORE_LEEWAY_MS) + 2 });
      expect(await check(token)).toEqual({ valid: false, reason: 'invalid' });
    });

    it('accepts a token whose nbf lies within the leeway, and one whose nbf has passed', async () => {
      expect((await check(await joseToken({ nbf: seconds(now + NOT_BEFORE_LEEWAY_MS) - 1 }))).valid).toBe(true);
      expect((await check(await joseToken({ nbf: seconds(now) - 60 }))).valid).toBe(true);
    });

    it('refuses a token whose nbf is not a number', async () => {
      expect(await check(await joseToken({ nbf: 'soon' as unknown as number }))).toEqual({ valid: false, reason: 'invalid' });
    });
  });

  describe('aud (RFC 7519 §4.1.3)', () => {
    it('accepts an array that contains our audience', async () => {
      expect((await check(await joseToken({ aud: ['other-service', ours] }))).valid).toBe(true);
    });

    it('refuses an array without our audience, an empty array, and an array with a non-string', async () => {
      expect(await check(await joseToken({ aud: ['other-service', audienceOf('my-product-tag', 'prd')] }))).toEqual({ valid: false, reason: 'invalid' });
      expect(await check(await joseToken({ aud: [] }))).toEqual({ valid: false, reason: 'invalid' });
      expect(await check(await joseToken({ aud: [ours, 7] as unknown as string[] }))).toEqual({ valid: false, reason: 'invalid' });
    });
  });

  describe('auth_time and the absolute end', () => {
    it('reads auth_time as the session start', async () => {
      const token = await joseToken({ auth_time: seconds(now) - 7_200 });
      expect(await check(token)).toMatchObject({ valid: true, claims: { authTime: (seconds(now) - 7_200) * 1000 } });
    });

    it('refuses a token past the session absolute end (axp) as absolute, before its expiry', async () => {
      const token = await joseToken({ axp: seconds(now) });
      expect(await check(token)).toEqual({ valid: false, reason: 'absolute' });
    });
  });
});

describe('session token claims (ours, read by jose)', () => {
  const claims: SessionTokenClaims = {
    sessionId: '01900000-0000-7000-8000-000000000001',
    product: 'my-product-tag',
    env: 'snd',
    tag: 'session-tag',
    identifier: 'u-1',
    data: {},
    issuedAt: now,
    expiresAt: now + 900_000,
    authTime: now - 3_600_000,
    absoluteExpiresAt: now + 86_400_000,
    idleTimeoutMs: 1_800_000,
  };

  it('writes nbf (= iat), auth_time (the session start, seconds), and our timeouts, which jose validates', async () => {
    const token = await service.issue(claims);
    const { payload } = await jwtDecrypt(token, ring.activeKey, { issuer: TOKEN_ISSUER, audience: ours, currentDate: new Date(now), typ: SESSION_TOKEN_TYPE });
    expect(payload).toMatchObject({ nbf: seconds(now), iat: seconds(now), auth_time: seconds(now - 3_600_000), axp: seconds(now + 86_400_000), idl: 1_800 });
    // jose honours nbf too: a minute early (beyond its zero tolerance) it refuses.
    await expect(jwtDecrypt(token, ring.activeKey, { currentDate: new Date(now - 60_000) })).rejects.toThrow(/nbf/);
    expect(await service.check(token, 'my-product-tag', 'snd', now)).toEqual({ valid: true, claims });
  });
});
