import { DynamicModule, Logger, Module } from '@nestjs/common';
import { ConfigError } from '@waymark/config';
import { DataSealer, KeyFile, SessionTokenService, TokenKeyRing, loadOrCreateKeyFile } from '@waymark/tokens';

export interface TokensOptions {
  keysFile: string;
  keysJson: string | undefined;
  mayCreate: boolean;
}

function loadKeyFile(options: TokensOptions, logger: Logger): KeyFile {
  if (options.keysJson) {
    try {
      return JSON.parse(options.keysJson) as KeyFile;
    } catch {
      throw new ConfigError('TOKEN_KEYS: not valid JSON (expected a JWK set: { "keys": [...] })');
    }
  }
  const { file, created } = loadOrCreateKeyFile(options.keysFile, options.mayCreate);
  if (created) logger.warn({ file: options.keysFile }, 'no token key file found; created one with a fresh key');
  return file;
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
            let ring: TokenKeyRing;
            try {
              ring = TokenKeyRing.fromKeyFile(loadKeyFile(options, logger));
            } catch (error) {
              if (error instanceof ConfigError) throw error;
              throw new ConfigError(`${options.keysJson ? 'TOKEN_KEYS' : 'TOKEN_KEYS_FILE'}: ${(error as Error).message}`);
            }
            logger.log({ activeKid: ring.activeKid }, 'token keys loaded');
            return ring;
          },
        },
        { provide: SessionTokenService, useFactory: (ring: TokenKeyRing) => new SessionTokenService(ring), inject: [TokenKeyRing] },
        { provide: DataSealer, useFactory: (ring: TokenKeyRing) => new DataSealer(ring), inject: [TokenKeyRing] },
      ],
      exports: [SessionTokenService, DataSealer, TokenKeyRing],
    };
  }
}
