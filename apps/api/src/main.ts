import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { assertPortAvailable, explainListenError, startupFailureText } from '@waymark/config';
import { stopOnSignals } from '@waymark/logging';
import { lockDataDir } from '@waymark/sqlite';
import { AddressInfo } from 'node:net';
import { createApiApp, warnIfOpenDevelopment } from './bootstrap';
import { ApiConfig, loadApiConfig } from './config/api.config';

/**
 * Start-up in the order that fails cheapest first: settings, the port, DATA_DIR, and
 * only then the stores and the app. Each refusal is one line on stderr and exit 1;
 * nothing says "started" or "listening" before the port is really bound.
 */
async function main(): Promise<void> {
  const config = loadApiConfig();
  await assertPortAvailable(config.port, config.host);
  // Embedded mode owns DATA_DIR; distributed mode keeps its state in Kafka, Redis and
  // ClickHouse, and several instances may share a DATA_DIR for token keys. The lock is
  // held until the process ends (the kernel releases it then).
  const lock = config.distributed ? undefined : lockDataDir(config.dataDir);
  let app: NestFastifyApplication | undefined;
  try {
    app = await createApiApp(config);
    await listen(app, config);
  } catch (error) {
    // Close what was opened (stores, projector, timers) before saying why we stop.
    await app?.close().catch(() => undefined);
    lock?.release();
    throw error;
  }
  // SIGTERM/SIGINT: Nest's shutdown hooks (the drain), then the logs written out, then exit.
  const running = app;
  stopOnSignals(() => running.close());
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}`;
  const logger = new Logger('main');
  const mode = config.distributed ? 'distributed' : 'embedded';
  logger.log({ url, mode, dataDir: config.dataDir }, `Waymark listening on ${url} (${mode} mode, data in ${config.dataDir})`);
  warnIfOpenDevelopment(app, `${url} is listening with no API key configured`);
}

async function listen(app: NestFastifyApplication, config: ApiConfig): Promise<void> {
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    throw explainListenError(error, config.port, config.host) ?? error;
  }
}

main().catch((error: unknown) => {
  // Before the app exists (and after it is closed) there is no logger: stderr, one line.
  process.stderr.write(startupFailureText('waymark', error));
  process.exit(1);
});
