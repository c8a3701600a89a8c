import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSealer, TokenKeyRing, generateStoredKey } from '@waymark/tokens';
import { PrivacyKeyRing, generatePrivacyKeyFile } from './privacy-keys';
import { SqliteUserKeyStore } from './sqlite-user-key-store';
import { UserKeyCipher } from './user-key';
import { UserDataOpener } from './user-data-opener';
import { UserKeys } from './user-keys';

describe('UserDataOpener', () => {
  let dir: string;
  let store: SqliteUserKeyStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wm-opener-'));
    store = SqliteUserKeyStore.open(join(dir, 'keys.db'));
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("opens data sealed with the user's key, data sealed with the token keys, and nothing once the user's key is gone", async () => {
    const tokens = TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] });
    const sealer = new DataSealer(tokens);
    const keys = new UserKeys(store, new UserKeyCipher(PrivacyKeyRing.fromFile(generatePrivacyKeyFile())));
    const opener = new UserDataOpener(keys, sealer);
    await keys.ensure('shop', ['ann']);
    const userSealed = keys.keyOf('shop', 'ann')?.data.encrypt(JSON.stringify({ city: 'Quito' })) as string;

    expect(await opener.open('shop', 'ann', userSealed)).toEqual({ city: 'Quito' });
    expect(await opener.open('shop', 'ann', await sealer.seal({ city: 'Lima' }))).toEqual({ city: 'Lima' });
    // Another user's key does not open it.
    await keys.ensure('shop', ['bob']);
    expect(await opener.open('shop', 'bob', userSealed)).toBeUndefined();

    const lookup = keys.lookupOf('shop', 'ann');
    const destroyed = await store.destroy(lookup);
    keys.forget(destroyed?.subject as string, lookup);
    expect(await opener.open('shop', 'ann', userSealed)).toBeUndefined();
  });
});
