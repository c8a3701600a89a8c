import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { QuietUntilListeningLogger, assertPortAvailable, explainListenError, startupFailureText } from '@waymark/config';
import { ShutdownGate, configureHttpApp, createFastifyAdapter } from '@waymark/http';
import { PinoLoggerService, createPinoLogger, stopOnSignals } from '@waymark/logging';
import { lockDataDir } from '@waymark/sqlite';
import { AddressInfo } from 'node:net';
import { loadProjectorConfig } from './config/projector.config';
import { ProjectorAppModule } from './projector-app.module';

/** Same order as the API's start-up: settings, port, DATA_DIR, then the stores. */
async function main(): Promise<void> {
  const config = loadProjectorConfig();
  await assertPortAvailable(config.port, config.host);
  // Embedded, the projector works on DATA_DIR while the API is stopped: the same lock
  // keeps the two from opening it together. Distributed, it has no data of its own.
  const lock = config.distributed ? undefined : lockDataDir(config.dataDir);
  const logger = new QuietUntilListeningLogger(new PinoLoggerService(createPinoLogger(config.logLevel)));
  let app: NestFastifyApplication | undefined;
  try {
    app = await NestFactory.create<NestFastifyApplication>(ProjectorAppModule.forRoot(config), createFastifyAdapter({ bodyLimitBytes: 1024 }), {
      logger,
      abortOnError: false,
    });
    // From SIGTERM on, /health/ready answers shutting_down while the batch in hand drains.
    configureHttpApp(app, { shutdown: app.get(ShutdownGate) });
    await app.listen({ port: config.port, host: config.host }).catch((error: unknown) => {
      throw explainListenError(error, config.port, config.host) ?? error;
    });
  } catch (error) {
    // Close what was opened (stores, the projector's loop) before saying why we stop.
    await app?.close().catch(() => undefined);
    lock?.release();
    throw error;
  }
  // SIGTERM/SIGINT: Nest's shutdown hooks (the batch in hand), then the logs written out, then exit.
  const running = app;
  stopOnSignals(() => running.close());
  const { port } = app.getHttpServer().address() as AddressInfo;
  const mode = config.distributed ? 'distributed' : 'embedded';
  new Logger('main').log(
    { mode, url: `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}` },
    `projector running (${mode} mode), health on port ${port}; stop with SIGTERM`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(startupFailureText('waymark-projector', error));
  process.exit(1);
});
