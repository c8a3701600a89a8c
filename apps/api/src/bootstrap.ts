import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadWaymarkConfig } from '@waymark/config';
import { configureHttpApp, createFastifyAdapter } from '@waymark/http';
import { PinoLoggerService, createPinoLogger } from '@waymark/logging';
import { AppModule } from './app.module';
import { ApiConfig } from './config/api.config';

/**
 * Builds the API application (not yet listening). Shared by `main.ts` and the tests,
 * so the tests run exactly the app that ships.
 */
export async function createApiApp(config: ApiConfig): Promise<NestFastifyApplication> {
  const logger = new PinoLoggerService(createPinoLogger(config.logLevel));
  const waymark = loadWaymarkConfig(config.waymarkConfigFile);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, waymark),
    createFastifyAdapter({ bodyLimitBytes: config.bodyLimitBytes }),
    { logger, bufferLogs: false },
  );
  configureHttpApp(app);
  app.enableShutdownHooks();
  logger.log(
    { source: waymark.source, products: waymark.products.map((product) => product.tag), apiKeys: waymark.apiKeys.length, bootstrapKey: Boolean(config.bootstrapKey) },
    'configuration loaded',
    'config',
  );
  return app;
}
