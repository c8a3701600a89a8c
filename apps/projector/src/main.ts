import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError } from '@waymark/config';
import { PinoLoggerService, createPinoLogger } from '@waymark/logging';
import { loadProjectorConfig } from './config/projector.config';
import { ProjectorAppModule } from './projector-app.module';

async function main(): Promise<void> {
  const config = loadProjectorConfig();
  const logger = new PinoLoggerService(createPinoLogger(config.logLevel));
  const app = await NestFactory.createApplicationContext(ProjectorAppModule.forRoot(config), { logger });
  app.enableShutdownHooks();
  await app.init();
  new Logger('main').log({ dataDir: config.dataDir }, 'projector running (embedded mode); stop with SIGTERM');
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`waymark-projector: failed to start: ${message}\n`);
  process.exit(1);
});
