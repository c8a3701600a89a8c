import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AddressInfo } from 'node:net';
import { ApiAppOptions } from '../../apps/api/src/app.module';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { loadApiConfig } from '../../apps/api/src/config/api.config';
import { makeTempDir } from './temp-dir';
import { NestFactory } from '@nestjs/core';
import { createFastifyAdapter } from '@waymark/http';
import { loadProjectorConfig } from '../../apps/projector/src/config/projector.config';
import { ProjectorAppModule } from '../../apps/projector/src/projector-app.module';
import { startDistributedStack } from './distributed-stack';
import { ResponseContract } from './response-contract';

export interface RunningApi {
  app: NestFastifyApplication;
  baseUrl: string;
  dataDir: string;
  /** Every answer checked against the app's OpenAPI document; close() throws with what it did not describe. */
  contract: ResponseContract;
  /** The routes Fastify registered (`GET /v1/sessions/active`), HEAD included. */
  routes: string[];
  close: () => Promise<void>;
}

/** Records the routes Fastify registers and checks every answer against the document: before listen. */
function observe(app: NestFastifyApplication): { contract: ResponseContract; routes: string[] } {
  const routes: string[] = [];
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRoute', (route) => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) routes.push(`${method} ${route.url}`);
  });
  const contract = ResponseContract.forApp(app);
  contract.install(app);
  return { contract, routes };
}

/** `npm run test:distributed` sets this: the same specs then run on Kafka, Redis and a ClickHouse server. */
export const TEST_MODE = process.env.WAYMARK_TEST_MODE === 'distributed' ? 'distributed' : 'embedded';

/** Accepted with every role by apps started here (WAYMARK_BOOTSTRAP_KEY). */
export const TEST_KEY = 'test-bootstrap-key-0123456789abcdef';
export const AUTH = { authorization: `Bearer ${TEST_KEY}` };

/**
 * The shipped API app, embedded mode (distributed under WAYMARK_TEST_MODE), on a free port
 * with its own data directory. `options.clock` replaces the API's clock (manual-clock.ts).
 */
export async function startApi(env: Record<string, string> = {}, options: ApiAppOptions = {}): Promise<RunningApi> {
  if (TEST_MODE === 'distributed') return startDistributedApi(env, options);
  const dir = makeTempDir('api');
  const config = loadApiConfig({
    DATA_DIR: dir.path,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    WAYMARK_BOOTSTRAP_KEY: TEST_KEY,
    ...env,
  });
  const app = await createApiApp(config, options);
  const { contract, routes } = observe(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    dataDir: dir.path,
    contract,
    routes,
    close: async () => {
      await app.close();
      dir.remove();
      contract.assertClean();
    },
  };
}

export const SEED_BODY = {
  product: 'my-product-tag',
  env: 'snd',
  tag: 'session-tag',
  data: { userId: '1919102009383', details: { username: 'feekayo', email: 'fikayo@ductape.app' } },
};

/** POSTs JSON with the test key unless other headers say otherwise. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = AUTH): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Response bodies in tests are checked field by field, so they are read untyped. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function readJson(response: Response): Promise<any> {
  return response.json();
}

export async function getJson(url: string, headers: Record<string, string> = AUTH): Promise<Response> {
  return fetch(url, { headers });
}

/**
 * Distributed mode for one test file: its own Kafka, Redis and ClickHouse front, the
 * API, and a projector (in this process: chDB lives in the front's process).
 */
async function startDistributedApi(env: Record<string, string>, options: ApiAppOptions): Promise<RunningApi> {
  const stack = await startDistributedStack();
  const dir = makeTempDir('api');
  const base = { ...stack.env, DATA_DIR: dir.path, HOST: '127.0.0.1', LOG_LEVEL: 'silent', NODE_ENV: 'test', WAYMARK_BOOTSTRAP_KEY: TEST_KEY, ...env };
  const app = await createApiApp(loadApiConfig({ ...base, PORT: '0' }), options);
  const { contract, routes } = observe(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as AddressInfo;
  const projectorEnv = { ...stack.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' };
  const projector = await NestFactory.create<NestFastifyApplication>(
    ProjectorAppModule.forRoot(loadProjectorConfig(projectorEnv)),
    createFastifyAdapter({ bodyLimitBytes: 1024 }),
    { logger: false, abortOnError: false },
  );
  await projector.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    dataDir: dir.path,
    contract,
    routes,
    close: async () => {
      await app.close();
      await projector.close();
      await stack.stop();
      dir.remove();
      contract.assertClean();
    },
  };
}
