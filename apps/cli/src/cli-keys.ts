import { PersonalDataCodec, UserKeyCipher, UserKeyStore, UserKeys, defaultPrivacyKeysFile, loadPrivacyKeyRing } from '@waymark/privacy';
import { loadTokenKeyRing } from '@waymark/tokens';
import { join, resolve } from 'node:path';
import { UsageError } from './cli-command';

/**
 * The codec a command decodes stored events with (docs/privacy.md), from the same key
 * settings as the service: TOKEN_KEYS / TOKEN_KEYS_FILE (default `<data dir>/token-keys.json`)
 * and PRIVACY_KEYS / PRIVACY_KEYS_FILE (default: beside the token key file). A command
 * never creates keys: keys it made up would open nothing the service wrote.
 */
export function openCodec(store: UserKeyStore, env: NodeJS.ProcessEnv, dataDir: string, userKeyCacheMs?: number): PersonalDataCodec {
  const tokenKeysFile = resolve(env.TOKEN_KEYS_FILE ?? join(dataDir, 'token-keys.json'));
  try {
    const tokens = loadTokenKeyRing({ file: tokenKeysFile, json: env.TOKEN_KEYS, mayCreate: false }).ring;
    const privacy = loadPrivacyKeyRing({
      file: resolve(env.PRIVACY_KEYS_FILE ?? defaultPrivacyKeysFile(tokenKeysFile)),
      json: env.PRIVACY_KEYS,
      mayCreate: false,
    }).ring;
    return new PersonalDataCodec(new UserKeys(store, new UserKeyCipher(privacy), { cacheMs: userKeyCacheMs }), tokens);
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (the keys the service uses are needed to read what it stored)`);
  }
}
