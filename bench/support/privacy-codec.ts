import { TokenKeyRing, generateStoredKey } from '@waymark/tokens';
import { join } from 'node:path';

/**
 * What the benchmarks need of crypto-shredding (issue 17), when the code under test has
 * it: the codec the service would build for a data directory (its own user-key store,
 * fresh keys), and the token keys it re-seals with. The bench matrix runs this file
 * against older code too (`--before`), where `@waymark/privacy` does not exist: then
 * there is no codec, and the benchmark measures that code as it was.
 */
export interface BenchCodec {
  /** A PersonalDataCodec (typed loosely: older code has no such class). */
  codec: unknown;
  tokenKeys: TokenKeyRing;
  close(): Promise<void>;
}

interface PrivacyModule {
  SqliteUserKeyStore: { open(path: string): { close(): Promise<void> } };
  PrivacyKeyRing: { fromFile(file: unknown): unknown };
  generatePrivacyKeyFile(): unknown;
  UserKeyCipher: new (ring: unknown) => unknown;
  UserKeys: new (store: unknown, cipher: unknown) => unknown;
  PersonalDataCodec: new (keys: unknown, tokens: TokenKeyRing) => unknown;
}

function privacyModule(): PrivacyModule | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional at run time: older code under test has no such module
    return require('@waymark/privacy') as PrivacyModule;
  } catch {
    return undefined;
  }
}

/** True when the code under test stores events under per-user keys. */
export function hasPerUserKeys(): boolean {
  return privacyModule() !== undefined;
}

export function benchCodec(dataDir: string): BenchCodec | undefined {
  const privacy = privacyModule();
  if (!privacy) return undefined;
  const tokenKeys = TokenKeyRing.fromKeyFile({ keys: [generateStoredKey()] });
  const store = privacy.SqliteUserKeyStore.open(join(dataDir, 'keys.db'));
  const keys = new privacy.UserKeys(store, new privacy.UserKeyCipher(privacy.PrivacyKeyRing.fromFile(privacy.generatePrivacyKeyFile())));
  return { codec: new privacy.PersonalDataCodec(keys, tokenKeys), tokenKeys, close: () => store.close() };
}
