import { KeyObject, createCipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { CompactJwe, JweKeySource, protectedHeaderFor } from './compact-jwe';

const TYP = 'wm-test';
const encoder = new TextEncoder();

function ringOf(...kids: string[]): JweKeySource {
  const keys = new Map(kids.map((kid) => [kid, createSecretKey(randomBytes(32))]));
  return {
    activeKid: kids[0],
    activeKey: keys.get(kids[0])!,
    keyFor: (kid) => (typeof kid === 'string' ? keys.get(kid) : undefined),
    kids: () => kids,
  };
}

function joseEncrypt(ring: JweKeySource, header: Record<string, unknown>, plaintext = '{"a":1}'): Promise<string> {
  return new CompactEncrypt(encoder.encode(plaintext)).setProtectedHeader(header as never).encrypt(ring.activeKey);
}

/** A correctly encrypted and tagged JWE under any header, so only the header can be why it is refused. */
function mintWithHeader(key: KeyObject, header: Record<string, unknown>, plaintext = '{"a":1}'): string {
  const encodedHeader = Buffer.from(JSON.stringify(header)).toString('base64url');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(encodedHeader, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [encodedHeader, '', iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

describe('CompactJwe (dir + A256GCM)', () => {
  const ring = ringOf('k1');
  const jwe = new CompactJwe(ring, TYP);

  it('mints what jose opens, and opens what jose mints with the same header', async () => {
    const token = jwe.encrypt('{"hello":"world"}');
    const { plaintext, protectedHeader } = await compactDecrypt(token, ring.activeKey, {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    expect(new TextDecoder().decode(plaintext)).toBe('{"hello":"world"}');
    expect(protectedHeader).toEqual({ alg: 'dir', enc: 'A256GCM', kid: 'k1', typ: TYP });

    const fromJose = await joseEncrypt(ring, { alg: 'dir', enc: 'A256GCM', kid: 'k1', typ: TYP }, '{"x":2}');
    expect(jwe.decrypt(fromJose)).toBe('{"x":2}');
  });

  it('uses a fresh IV for every token', () => {
    const ivs = new Set(Array.from({ length: 2000 }, () => jwe.encrypt('same').split('.')[2]));
    expect(ivs.size).toBe(2000);
  });

  it.each([
    ['alg none', { alg: 'none', kid: 'k1', typ: TYP }],
    ['another typ', { alg: 'dir', enc: 'A256GCM', kid: 'k1', typ: 'wm-other' }],
    ['no typ', { alg: 'dir', enc: 'A256GCM', kid: 'k1' }],
    ['an unknown kid', { alg: 'dir', enc: 'A256GCM', kid: 'k9', typ: TYP }],
    ['an extra header member (zip)', { alg: 'dir', enc: 'A256GCM', kid: 'k1', typ: TYP, zip: 'DEF' }],
    ['a crit header', { alg: 'dir', enc: 'A256GCM', kid: 'k1', typ: TYP, crit: ['exp'], exp: 1 }],
    ['members in another order', { enc: 'A256GCM', alg: 'dir', kid: 'k1', typ: TYP }],
  ])('refuses a token with %s, even when its tag is valid', (_name, header) => {
    expect(jwe.decrypt(mintWithHeader(ring.activeKey, header))).toBeUndefined();
    // The same helper with our own header is accepted: the header alone is the reason.
    expect(jwe.decrypt(mintWithHeader(ring.activeKey, { alg: 'dir', enc: 'A256GCM', kid: 'k1', typ: TYP }))).toBe('{"a":1}');
  });

  it('refuses tampering with any part, and malformed shapes', () => {
    const token = jwe.encrypt('{"role":"user"}');
    const parts = token.split('.');
    const flip = (text: string) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[0] ^= 1;
      return bytes.toString('base64url');
    };
    for (const index of [2, 3, 4]) {
      const tampered = [...parts];
      tampered[index] = flip(parts[index]);
      expect(jwe.decrypt(tampered.join('.'))).toBeUndefined();
    }
    expect(jwe.decrypt([parts[0], 'AAAA', ...parts.slice(2)].join('.'))).toBeUndefined(); // an encrypted key with dir
    expect(jwe.decrypt(parts.slice(0, 4).join('.'))).toBeUndefined();
    expect(jwe.decrypt(`${token}.`)).toBeUndefined();
    expect(jwe.decrypt([...parts.slice(0, 4), parts[4].slice(0, 10)].join('.'))).toBeUndefined(); // short tag
    expect(jwe.decrypt([...parts.slice(0, 3), `${parts[3]}!`, parts[4]].join('.'))).toBeUndefined(); // not base64url
    expect(jwe.decrypt([...parts.slice(0, 3), '', parts[4]].join('.'))).toBeUndefined();
    expect(jwe.decrypt('')).toBeUndefined();
  });

  it('refuses a token sealed with a key of the same kid that is not ours', async () => {
    const impostor = new CompactJwe(ringOf('k1'), TYP);
    expect(jwe.decrypt(impostor.encrypt('{}'))).toBeUndefined();
  });

  it('opens tokens of every kid in the ring and mints with the active one only', () => {
    const old = ringOf('old');
    const oldToken = new CompactJwe(old, TYP).encrypt('{"v":"old"}');
    const rotated: JweKeySource = {
      activeKid: 'new',
      activeKey: createSecretKey(randomBytes(32)),
      keyFor: (kid) => (kid === 'old' ? old.activeKey : kid === 'new' ? rotated.activeKey : undefined),
      kids: () => ['new', 'old'],
    };
    const after = new CompactJwe(rotated, TYP);
    expect(after.decrypt(oldToken)).toBe('{"v":"old"}');
    expect(after.encrypt('{}').split('.')[0]).toBe(protectedHeaderFor('new', TYP));
  });
});
