import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenKeyRing, generateStoredKey, loadOrCreateKeyFile } from './token-key-ring';

describe('TokenKeyRing', () => {
  it('encrypts with the first key and resolves every listed kid, and nothing else', () => {
    const [first, second] = [generateStoredKey(), generateStoredKey()];
    const ring = TokenKeyRing.fromKeyFile({ keys: [first, second] });

    expect(ring.activeKid).toBe(first.kid);
    expect(ring.keyFor(second.kid)).toBeDefined();
    expect(ring.keyFor('unknown')).toBeUndefined();
    expect(ring.keyFor(undefined)).toBeUndefined();
  });

  it('refuses an empty ring and keys that are not 256 bits', () => {
    expect(() => TokenKeyRing.fromKeyFile({ keys: [] })).toThrow('no keys');
    const short = { ...generateStoredKey(), k: Buffer.alloc(16).toString('base64url') };
    expect(() => TokenKeyRing.fromKeyFile({ keys: [short] })).toThrow('256 bits');
  });
});

describe('loadOrCreateKeyFile', () => {
  it('creates a private key file once, then reads the same one back', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'wm-keys-')), 'nested', 'keys.json');
    const created = loadOrCreateKeyFile(path, true);
    const again = loadOrCreateKeyFile(path, true);

    expect(created.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.file).toEqual(created.file);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses to invent keys where creation is not allowed (production)', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'wm-keys-')), 'keys.json');
    expect(() => loadOrCreateKeyFile(path, false)).toThrow('not found');
  });
});
