import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError } from '@waymark/config';
import { AddressInfo } from 'node:net';
import { createApiApp } from './bootstrap';
import { loadApiConfig } from './config/api.config';

async function main(): Promise<void> {
  const config = loadApiConfig();
  const app = await createApiApp(config);
  await app.listen({ port: config.port, host: config.host });
  const { port } = app.getHttpServer().address() as AddressInfo;
  const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
  new Logger('main').log(
    { url: `http://${host}:${port}`, mode: 'embedded', dataDir: config.dataDir },
    `Waymark listening on http://${host}:${port} (embedded mode, data in ${config.dataDir})`,
  );
}

main().catch((error: unknown) => {
  // Before the app exists there is no logger yet; start-up failures go to stderr.
  const message = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`waymark: failed to start: ${message}\n`);
  process.exit(1);
});
