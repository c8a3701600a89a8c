import { CompactEncrypt, UnsecuredJWT, decodeProtectedHeader } from 'jose';
import { SessionTokenService, SessionTokenClaims, audienceOf } from './session-token.service';
import { TokenKeyRing, generateStoredKey } from './token-key-ring';

const now = Date.UTC(2026, 10, 26, 10, 0, 0);
const claims: SessionTokenClaims = {
  sessionId: '01900000-0000-7000-8000-000000000001',
  product: 'my-product-tag',
  env: 'snd',
  tag: 'session-tag',
  identifier: '1919102009383',
  data: { userId: '1919102009383', details: { email: 'fikayo@ductape.app' } },
  issuedAt: now,
  expiresAt: now + 3_600_000,
};

describe('SessionTokenService', () => {
  const oldKey = generateStoredKey();
  const newKey = generateStoredKey();
  const service = new SessionTokenService(TokenKeyRing.fromKeyFile({ keys: [oldKey] }));

  it('round-trips the claims and hides the user data from anyone without the key', async () => {
    const token = await service.issue(claims);

    expect(token.split('.')).toHaveLength(5);
    expect(Buffer.from(token.split('.')[3], 'base64url').toString('latin1')).not.toContain('fikayo');
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'dir', enc: 'A256GCM', kid: oldKey.kid, typ: 'wm-session+jwt' });
    expect(await service.check(token, 'my-product-tag', 'snd', now + 1000)).toEqual({ valid: true, claims });
  });

  it('refuses an expired token as expired', async () => {
    const token = await service.issue(claims);
    expect(await service.check(token, 'my-product-tag', 'snd', claims.expiresAt + 1000)).toEqual({ valid: false, reason: 'expired' });
  });

  it('refuses a token for another product or env (audience)', async () => {
    const token = await service.issue(claims);
    expect(await service.check(token, 'my-product-tag', 'prd', now)).toEqual({ valid: false, reason: 'invalid' });
    expect(await service.check(token, 'other', 'snd', now)).toEqual({ valid: false, reason: 'invalid' });
  });

  it('refuses a tampered token', async () => {
    const token = await service.issue(claims);
    const parts = token.split('.');
    const cipher = Buffer.from(parts[3], 'base64url');
    cipher[0] ^= 0xff;
    parts[3] = cipher.toString('base64url');
    expect(await service.check(parts.join('.'), 'my-product-tag', 'snd', now)).toEqual({ valid: false, reason: 'invalid' });
  });

  it('refuses a token encrypted with a key outside the ring', async () => {
    const stranger = new SessionTokenService(TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] }));
    const token = await stranger.issue(claims);
    expect(await service.check(token, 'my-product-tag', 'snd', now)).toEqual({ valid: false, reason: 'invalid' });
  });

  it('refuses an unsecured (alg: none) token and a JWE of another type', async () => {
    const unsecured = new UnsecuredJWT({ sid: claims.sessionId }).setAudience(audienceOf('my-product-tag', 'snd')).encode();
    expect(await service.check(unsecured, 'my-product-tag', 'snd', now)).toEqual({ valid: false, reason: 'invalid' });

    const ring = TokenKeyRing.fromKeyFile({ keys: [oldKey] });
    const otherType = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify({ sid: 'x', sub: 'u' })))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: oldKey.kid, typ: 'wm-data' })
      .encrypt(ring.activeKey);
    expect(await service.check(otherType, 'my-product-tag', 'snd', now)).toEqual({ valid: false, reason: 'invalid' });
  });

  it('keeps verifying tokens of a retired-from-signing key after rotation', async () => {
    const token = await service.issue(claims);
    const rotated = new SessionTokenService(TokenKeyRing.fromKeyFile({ keys: [newKey, oldKey] }));

    expect((await rotated.check(token, 'my-product-tag', 'snd', now)).valid).toBe(true);
    expect(decodeProtectedHeader(await rotated.issue(claims)).kid).toBe(newKey.kid);
  });
});

describe('SessionTokenService opened-token cache', () => {
  const service = new SessionTokenService(TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] }));

  it('answers a token checked before with the same claims, and still checks expiry and audience', async () => {
    const token = await service.issue(claims);
    const first = await service.check(token, 'my-product-tag', 'snd', now);
    expect(await service.check(token, 'my-product-tag', 'snd', now)).toEqual(first);
    expect(await service.check(token, 'my-product-tag', 'prd', now)).toEqual({ valid: false, reason: 'invalid' });
    expect(await service.check(token, 'my-product-tag', 'snd', claims.expiresAt)).toEqual({ valid: false, reason: 'expired' });
  });

  it('hands out claims no caller can change for the next one', async () => {
    const token = await service.issue(claims);
    const check = await service.check(token, 'my-product-tag', 'snd', now);
    if (!check.valid) throw new Error('expected a valid token');
    expect(() => {
      check.claims.data.userId = 'someone else';
    }).toThrow(TypeError);
  });
});
