import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ShutdownGate, createFastifyAdapter } from '@waymark/http';
import { AddressInfo } from 'node:net';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { loadApiConfig } from '../../apps/api/src/config/api.config';
import { loadProjectorConfig } from '../../apps/projector/src/config/projector.config';
import { ProjectorAppModule } from '../../apps/projector/src/projector-app.module';
import { SEED_BODY, TEST_KEY, postJson, readJson } from '../support/api-app';
import { DistributedStack, startDistributedStack } from '../support/distributed-stack';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const APPEND_TIMEOUT_MS = 3000;

/**
 * Distributed mode: the API and the projector app each say why they are not ready.
 * ClickHouse (the test front) stopped: both answer 503 `clickhouse_unreachable`, and the
 * projector, whose inserts now fail, `projector_failing`. Kafka stopped: the API's
 * appends fail, so `log_writes_failing` (and `event_log_unreachable`: the lag cannot be read).
 */
describe('readiness tells the truth (distributed)', () => {
  let stack: DistributedStack;
  let api: NestFastifyApplication;
  let projector: NestFastifyApplication;
  let apiUrl: string;
  let projectorUrl: string;
  const dir = makeTempDir('readiness-distributed');

  beforeAll(async () => {
    stack = await startDistributedStack();
    const base: Record<string, string> = { ...stack.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', READY_PROJECTOR_MAX_FAILURES: '2' };
    api = await createApiApp(
      loadApiConfig({
        ...base,
        KAFKA_APPEND_TIMEOUT_MS: String(APPEND_TIMEOUT_MS),
        DATA_DIR: dir.path,
        NODE_ENV: 'test',
        WAYMARK_BOOTSTRAP_KEY: TEST_KEY,
        TOKEN_KEYS_FILE: `${dir.path}/token-keys.json`,
      }),
    );
    await api.listen({ port: 0, host: '127.0.0.1' });
    apiUrl = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
    projector = await NestFactory.create<NestFastifyApplication>(
      ProjectorAppModule.forRoot(loadProjectorConfig(base)),
      createFastifyAdapter({ bodyLimitBytes: 1024 }),
      {
        logger: false,
        abortOnError: false,
      },
    );
    await projector.listen({ port: 0, host: '127.0.0.1' });
    projectorUrl = `http://127.0.0.1:${(projector.getHttpServer().address() as AddressInfo).port}`;
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await projector?.close();
    await stack?.stop();
    dir.remove();
  });

  async function ready(baseUrl: string) {
    const response = await fetch(`${baseUrl}/health/ready`);
    const body = await readJson(response);
    return { status: response.status, codes: (body.reasons as Array<{ code: string }>).map((reason) => reason.code), body };
  }

  it('both apps are ready, with no reasons, while everything runs', async () => {
    expect(
      await waitFor(
        () => ready(apiUrl),
        (answer) => answer.status === 200,
        20_000,
        100,
      ),
    ).toMatchObject({ codes: [] });
    expect(
      await waitFor(
        () => ready(projectorUrl),
        (answer) => answer.status === 200,
        20_000,
        100,
      ),
    ).toMatchObject({ codes: [] });
  }, 45_000);

  it('ClickHouse unreachable: both apps answer 503 clickhouse_unreachable; the projector also projector_failing', async () => {
    expect((await postJson(`${apiUrl}/v1/sessions`, { ...SEED_BODY, data: { ...SEED_BODY.data, userId: 'before-clickhouse-stops' } })).status).toBe(201);
    await stack.clickhouse.stop({ keepData: true });
    try {
      // The event is still waiting for the projector, whose inserts now fail.
      expect((await postJson(`${apiUrl}/v1/sessions`, { ...SEED_BODY, data: { ...SEED_BODY.data, userId: 'clickhouse-down' } })).status).toBe(201);
      const apiAnswer = await ready(apiUrl);
      expect(apiAnswer.status).toBe(503);
      expect(apiAnswer.codes).toEqual(['clickhouse_unreachable']);
      const projectorAnswer = await waitFor(
        () => ready(projectorUrl),
        (answer) => answer.codes.includes('projector_failing'),
        20_000,
        200,
      );
      expect(projectorAnswer.status).toBe(503);
      expect(projectorAnswer.codes).toEqual(expect.arrayContaining(['clickhouse_unreachable', 'projector_failing']));
    } finally {
      await stack.clickhouse.restart();
    }
    expect(
      (
        await waitFor(
          () => ready(apiUrl),
          (answer) => answer.status === 200,
          20_000,
          200,
        )
      ).codes,
    ).toEqual([]);
    expect(
      (
        await waitFor(
          () => ready(projectorUrl),
          (answer) => answer.status === 200,
          30_000,
          200,
        )
      ).codes,
    ).toEqual([]);
  }, 90_000);

  it('Kafka unreachable: the API answers 503 log_writes_failing once an append failed', async () => {
    await stack.broker.stop();
    const answer = await postJson(`${apiUrl}/v1/sessions`, { ...SEED_BODY, data: { ...SEED_BODY.data, userId: 'kafka-down' } });
    expect(answer.status).toBe(503);
    const notReady = await ready(apiUrl);
    expect(notReady.status).toBe(503);
    expect(notReady.codes).toEqual(expect.arrayContaining(['log_writes_failing', 'event_log_unreachable']));
    expect(notReady.body.reasons).toContainEqual({ code: 'log_writes_failing', detail: expect.stringContaining('did not acknowledge') });
  }, 60_000);

  it('shutting down: the projector app answers 503 shutting_down from the first shutdown hook on', async () => {
    // What onModuleDestroy does on SIGTERM; the app's close itself runs in afterAll.
    projector.get(ShutdownGate).begin();
    const answer = await ready(projectorUrl);
    expect(answer.status).toBe(503);
    expect(answer.codes).toEqual(['shutting_down']);
    const metrics = await (await fetch(`${projectorUrl}/metrics`)).text();
    expect(metrics).toMatch(/waymark_not_ready_reason\{reason="shutting_down"\} 1/);
  });
});
