import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError, QuietUntilListeningLogger, loadWaymarkConfig } from '@waymark/config';
import { ShutdownGate, configureHttpApp, createFastifyAdapter } from '@waymark/http';
import { PinoLoggerService, createPinoLogger } from '@waymark/logging';
import { ApiAppOptions, AppModule } from './app.module';
import { ApiKeyRegistry } from './auth/api-key-registry';
import { ApiConfig } from './config/api.config';

/**
 * Builds the API application (not yet listening). Shared by `main.ts` and the tests,
 * so the tests run exactly the app that ships.
 */
export async function createApiApp(config: ApiConfig, options: ApiAppOptions = {}): Promise<NestFastifyApplication> {
  const logger = new QuietUntilListeningLogger(new PinoLoggerService(createPinoLogger(config.logLevel)));
  const waymark = loadWaymarkConfig(config.waymarkConfigFile);
  if (config.nodeEnv === 'production' && waymark.apiKeys.length === 0) {
    throw new ConfigError(`WAYMARK_CONFIG: ${waymark.source} has no apiKeys; in production every call needs one (create with \`waymark api-keys create\`)`);
  }
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, waymark, options),
    createFastifyAdapter({ bodyLimitBytes: config.bodyLimitBytes }),
    // Throw on a wiring error instead of exiting, so the caller reports it (and tests see it).
    { logger, bufferLogs: false, abortOnError: false },
  );
  // From SIGTERM on, new requests get 503 SHUTTING_DOWN while the drain runs (ShutdownGate).
  configureHttpApp(app, { shutdown: app.get(ShutdownGate) });
  warnIfOpenDevelopment(app, `no "apiKeys" in ${waymark.source} and no WAYMARK_BOOTSTRAP_KEY`);
  logger.log(
    {
      source: waymark.source,
      products: waymark.products.map((product) => product.tag),
      apiKeys: waymark.apiKeys.length,
      bootstrapKey: Boolean(config.bootstrapKey),
    },
    'configuration loaded',
    'config',
  );
  return app;
}

/**
 * Open development mode accepts anonymous calls with every role, so it must never go
 * unnoticed: said at start-up (where the configuration is logged) and again beside
 * the "listening" line, the one an operator reads. Returns whether the mode is on.
 */
export function warnIfOpenDevelopment(app: NestFastifyApplication, why: string): boolean {
  if (!app.get(ApiKeyRegistry).openDevelopment) return false;
  new Logger('auth').warn(
    { openDevelopmentMode: true },
    `!!! OPEN DEVELOPMENT MODE !!! ${why}: every call without a key is accepted with EVERY role on EVERY product. ` +
      'Add apiKeys to the config file (`waymark api-keys create`) or set WAYMARK_BOOTSTRAP_KEY to end it; NODE_ENV=production refuses to start like this.',
  );
  return true;
}
