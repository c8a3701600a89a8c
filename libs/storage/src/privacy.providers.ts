import { Logger, Provider } from '@nestjs/common';
import { ConfigError } from '@waymark/config';
import { PersonalDataCodec, PrivacyKeyRing, USER_KEY_STORE, UserKeyCipher, UserKeyStore, UserKeys, loadPrivacyKeyRing } from '@waymark/privacy';
import { DataSealer, TokenKeyRing } from '@waymark/tokens';

export const PRIVACY_KEY_RING = Symbol('PRIVACY_KEY_RING');

/** Where the privacy keys come from (docs/privacy.md): `PRIVACY_KEYS` as JSON, or the file, created where allowed. */
export interface PrivacyKeySettings {
  file: string;
  json?: string;
  mayCreate: boolean;
}

/**
 * How long a process trusts a user key it opened before asking the store again, in
 * distributed mode, where another instance may erase the user: after an erasure,
 * encoding and decoding stop using the destroyed key everywhere within this time.
 */
export const DISTRIBUTED_USER_KEY_CACHE_MS = 5000;

/**
 * The privacy key ring, the user-key service and the codec, given a provider of
 * USER_KEY_STORE for the mode. TokenKeyRing comes from the app (TokensModule in the API;
 * the projector and the CLI load it themselves): the codec re-seals session data with it.
 */
export function privacyProviders(settings: PrivacyKeySettings, userKeyCacheMs?: number): Provider[] {
  return [
    {
      provide: PRIVACY_KEY_RING,
      useFactory: () => {
        let loaded: { ring: PrivacyKeyRing; created: boolean };
        try {
          loaded = loadPrivacyKeyRing(settings);
        } catch (error) {
          throw new ConfigError(`${settings.json ? 'PRIVACY_KEYS' : 'PRIVACY_KEYS_FILE'}: ${(error as Error).message}`);
        }
        if (loaded.created) new Logger('privacy').warn({ file: settings.file }, 'no privacy key file found; created one with fresh keys');
        return loaded.ring;
      },
    },
    {
      provide: UserKeys,
      useFactory: (store: UserKeyStore, ring: PrivacyKeyRing) => new UserKeys(store, new UserKeyCipher(ring), { cacheMs: userKeyCacheMs }),
      inject: [USER_KEY_STORE, PRIVACY_KEY_RING],
    },
    {
      provide: PersonalDataCodec,
      // The API's DataSealer (absent in the projector) remembers what it just sealed.
      useFactory: (keys: UserKeys, tokens: TokenKeyRing, sealer?: DataSealer) => new PersonalDataCodec(keys, tokens, sealer),
      inject: [UserKeys, TokenKeyRing, { token: DataSealer, optional: true }],
    },
  ];
}

export const PRIVACY_EXPORTS = [PRIVACY_KEY_RING, USER_KEY_STORE, UserKeys, PersonalDataCodec];
