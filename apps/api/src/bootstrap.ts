import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError, loadWaymarkConfig } from '@waymark/config';
import { configureHttpApp, createFastifyAdapter } from '@waymark/http';
import { PinoLoggerService, createPinoLogger } from '@waymark/logging';
import { AppModule } from './app.module';
import { ApiKeyRegistry } from './auth/api-key-registry';
import { ApiConfig } from './config/api.config';

/**
 * Builds the API application (not yet listening). Shared by `main.ts` and the tests,
 * so the tests run exactly the app that ships.
 */
export async function createApiApp(config: ApiConfig): Promise<NestFastifyApplication> {
  const logger = new PinoLoggerService(createPinoLogger(config.logLevel));
  const waymark = loadWaymarkConfig(config.waymarkConfigFile);
  if (config.nodeEnv === 'production' && waymark.apiKeys.length === 0) {
    throw new ConfigError(`WAYMARK_CONFIG: ${waymark.source} has no apiKeys; in production every call needs one (create with \`waymark api-keys create\`)`);
  }
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, waymark),
    createFastifyAdapter({ bodyLimitBytes: config.bodyLimitBytes }),
    // Throw on a wiring error instead of exiting, so the caller reports it (and tests see it).
    { logger, bufferLogs: false, abortOnError: false },
  );
  configureHttpApp(app);
  if (app.get(ApiKeyRegistry).openDevelopment) {
    logger.warn('open development mode: no API keys are configured, so calls without a key are accepted with every role. Configure apiKeys (or WAYMARK_BOOTSTRAP_KEY) to end it; production refuses to start like this.', 'auth');
  }
  app.enableShutdownHooks();
  logger.log(
    { source: waymark.source, products: waymark.products.map((product) => product.tag), apiKeys: waymark.apiKeys.length, bootstrapKey: Boolean(config.bootstrapKey) },
    'configuration loaded',
    'config',
  );
  return app;
}
