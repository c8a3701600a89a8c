import { DynamicModule, Logger, Module } from '@nestjs/common';
import { ConfigError } from '@waymark/config';
import { UserDataOpener, UserKeys } from '@waymark/privacy';
import { DataSealer, SessionTokenService, TokenKeyRing, loadTokenKeyRing } from '@waymark/tokens';

export interface TokensOptions {
  keysFile: string;
  keysJson: string | undefined;
  mayCreate: boolean;
}

/** Loads the key ring once at start-up and provides the services that use it. */
@Module({})
export class TokensModule {
  static forRoot(options: TokensOptions): DynamicModule {
    return {
      module: TokensModule,
      global: true,
      providers: [
        {
          provide: TokenKeyRing,
          useFactory: () => {
            const logger = new Logger('tokens');
            let loaded: { ring: TokenKeyRing; created: boolean };
            try {
              loaded = loadTokenKeyRing({ file: options.keysFile, json: options.keysJson, mayCreate: options.mayCreate });
            } catch (error) {
              throw new ConfigError((error as Error).message);
            }
            if (loaded.created) logger.warn({ file: options.keysFile }, 'no token key file found; created one with a fresh key');
            logger.log({ activeKid: loaded.ring.activeKid }, 'token keys loaded');
            return loaded.ring;
          },
        },
        { provide: SessionTokenService, useFactory: (ring: TokenKeyRing) => new SessionTokenService(ring), inject: [TokenKeyRing] },
        { provide: DataSealer, useFactory: (ring: TokenKeyRing) => new DataSealer(ring), inject: [TokenKeyRing] },
        // Session data as the read model holds it: sealed with the user's key (or, projected
        // before per-user keys, with the token keys). UserKeys comes from the storage module.
        { provide: UserDataOpener, useFactory: (keys: UserKeys, sealer: DataSealer) => new UserDataOpener(keys, sealer), inject: [UserKeys, DataSealer] },
      ],
      exports: [SessionTokenService, DataSealer, TokenKeyRing, UserDataOpener],
    };
  }
}
