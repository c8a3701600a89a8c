import { DynamicModule, Logger, Module } from '@nestjs/common';
import { DataSealer, SessionTokenService, TokenKeyRing, loadOrCreateKeyFile } from '@waymark/tokens';

export interface TokensOptions {
  keysFile: string;
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
            const { file, created } = loadOrCreateKeyFile(options.keysFile, options.mayCreate);
            const ring = TokenKeyRing.fromKeyFile(file);
            const logger = new Logger('tokens');
            if (created) logger.warn({ file: options.keysFile }, 'no token key file found; created one with a fresh key');
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
