import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError } from '@waymark/config';
import { configureHttpApp, createFastifyAdapter } from '@waymark/http';
import { PinoLoggerService, createPinoLogger } from '@waymark/logging';
import { AddressInfo } from 'node:net';
import { loadProjectorConfig } from './config/projector.config';
import { ProjectorAppModule } from './projector-app.module';

async function main(): Promise<void> {
  const config = loadProjectorConfig();
  const logger = new PinoLoggerService(createPinoLogger(config.logLevel));
  const app = await NestFactory.create<NestFastifyApplication>(ProjectorAppModule.forRoot(config), createFastifyAdapter({ bodyLimitBytes: 1024 }), {
    logger,
    abortOnError: false,
  });
  configureHttpApp(app);
  app.enableShutdownHooks();
  await app.listen({ port: config.port, host: config.host });
  const { port } = app.getHttpServer().address() as AddressInfo;
  const mode = config.distributed ? 'distributed' : 'embedded';
  new Logger('main').log({ mode, url: `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}` }, `projector running (${mode} mode), health on port ${port}; stop with SIGTERM`);
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`waymark-projector: failed to start: ${message}\n`);
  process.exit(1);
});
