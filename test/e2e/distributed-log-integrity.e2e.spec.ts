import { ClickHouseClient, createClient } from '@clickhouse/client';
import { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EVENT_LOG, KafkaEventLog } from '@waymark/event-log';
import { createFastifyAdapter } from '@waymark/http';
import { READ_MODEL_GROUP } from '@waymark/projection';
import { CLICKHOUSE } from '@waymark/read-model';
import { LOG_INTEGRITY, LogIntegrityMonitor, checkKafkaLogIntegrity } from '@waymark/storage';
import { AddressInfo } from 'node:net';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { runCli } from '../../apps/cli/src/cli';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { loadApiConfig } from '../../apps/api/src/config/api.config';
import { loadProjectorConfig } from '../../apps/projector/src/config/projector.config';
import { ProjectorAppModule } from '../../apps/projector/src/projector-app.module';
import { SEED_BODY, TEST_KEY, postJson, readJson } from '../support/api-app';
import { DistributedStack, TEST_PARTITIONS, TEST_TOPIC, startDistributedStack } from '../support/distributed-stack';
import { KafkaTestBroker, startKafkaBroker } from '../support/kafka-broker';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const SESSIONS = 6;

interface Running {
  app: NestFastifyApplication;
  url: string;
}

type Families = Array<{ name: string; metrics: Array<{ labels?: Record<string, string>; value: string }> }>;

/**
 * Distributed mode's start-up integrity check. The divergence it is built for: the event
 * topic lost records the read model still has. Here the topic is deleted and created
 * again (a fresh broker with the same topics: the mock keeps nothing, so that is what a
 * re-created topic looks like to Waymark), while ClickHouse and Redis keep their data.
 * Every partition's offsets restart at 0, below what the read model holds.
 *
 * Observed: both apps still start, each says so at start-up (an error line naming
 * `waymark replay`, `log_behind_read_model` on /health/ready, the missing-events gauge),
 * and the documented fix, `waymark replay` and a restart, clears it: there is no repair
 * for a Kafka topic.
 */
describe('distributed: the read model holds events the topic lost', () => {
  jest.setTimeout(180_000);
  const dir = makeTempDir('dist-integrity');
  let stack: DistributedStack;
  let freshBroker: KafkaTestBroker | undefined;
  let clickhouse: ClickHouseClient;
  const running: Running[] = [];

  const apiEnv = (env: Record<string, string>) =>
    loadApiConfig({
      ...env,
      DATA_DIR: dir.path,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      WAYMARK_BOOTSTRAP_KEY: TEST_KEY,
      TOKEN_KEYS_FILE: `${dir.path}/token-keys.json`,
    });

  async function listen(app: NestFastifyApplication): Promise<Running> {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const started = { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
    running.push(started);
    return started;
  }

  const startApi = async (env: Record<string, string>) => listen(await createApiApp(apiEnv(env)));

  async function startProjector(env: Record<string, string>): Promise<Running> {
    const config = loadProjectorConfig({ ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    return listen(
      await NestFactory.create<NestFastifyApplication>(ProjectorAppModule.forRoot(config), createFastifyAdapter({ bodyLimitBytes: 1024 }), {
        logger: false,
        abortOnError: false,
      }),
    );
  }

  async function stopAll(): Promise<void> {
    for (const { app } of running.splice(0)) await app.close();
  }

  async function ready(url: string) {
    const response = await fetch(`${url}/health/ready`);
    const body = await readJson(response);
    return { status: response.status, codes: (body.reasons as Array<{ code: string }>).map((reason) => reason.code), body };
  }

  async function metrics(url: string) {
    const families = parsePrometheusTextFormat(await (await fetch(`${url}/metrics`)).text()) as Families;
    return (name: string, labels: Record<string, string> = {}) =>
      Number(
        families.find((family) => family.name === name)?.metrics.find((entry) => Object.entries(labels).every(([key, value]) => entry.labels?.[key] === value))
          ?.value,
      );
  }

  async function eventsInReadModel(): Promise<number> {
    const result = await clickhouse.query({ query: 'SELECT uniqExact(event_id) AS n FROM events', format: 'JSONEachRow' });
    const [row] = await result.json<{ n: string | number }>();
    return Number(row.n);
  }

  const newSessionIds: string[] = [];

  async function sessionsInReadModel(sessionIds: string[]): Promise<number> {
    const result = await clickhouse.query({
      query: 'SELECT uniqExact(session_id) AS n FROM events WHERE session_id IN {ids:Array(UUID)}',
      query_params: { ids: sessionIds },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ n: string | number }>();
    return Number(row.n);
  }

  /** Starts a session and waits until the read model has it. */
  async function startProjectedSession(url: string, userId: string): Promise<string> {
    const answer = await postJson(`${url}/v1/sessions`, { ...SEED_BODY, data: { ...SEED_BODY.data, userId } });
    expect(answer.status).toBe(201);
    const { sessionId } = await readJson(answer);
    await waitFor(
      () => sessionsInReadModel([sessionId]),
      (count) => count === 1,
      15_000,
      50,
    );
    return sessionId;
  }

  beforeAll(async () => {
    stack = await startDistributedStack();
    clickhouse = createClient({ url: stack.clickhouse.url });
  }, 60_000);

  afterAll(async () => {
    await stopAll().catch(() => undefined);
    await clickhouse?.close();
    await freshBroker?.stop();
    await stack?.stop();
    dir.remove();
  });

  let projected = 0;
  let freshEnv: Record<string, string>;

  it('a healthy start finds nothing: sessions go through the topic into the read model', async () => {
    const api = await startApi(stack.env);
    await startProjector(stack.env);
    expect(api.app.get<LogIntegrityMonitor>(LOG_INTEGRITY).report).toMatchObject({ ok: true, missingEvents: 0 });
    // One at a time, each projected before the next: every batch is then one record at a
    // predictable offset, which the next test repeats on the re-created topic.
    for (let index = 0; index < SESSIONS; index += 1) {
      await startProjectedSession(api.url, `integrity-user-${index}`);
    }
    // The sessions, and the seed spec the first start created.
    projected = await waitFor(eventsInReadModel, (count) => count === SESSIONS + 1, 30_000, 200);
    expect(
      (
        await waitFor(
          () => ready(api.url),
          (answer) => answer.status === 200,
          20_000,
          200,
        )
      ).codes,
    ).toEqual([]);
    await stopAll();
  });

  it('after the topic is re-created, both apps start, log the loss with the fix, and stay not ready', async () => {
    await stack.broker.stop();
    freshBroker = await startKafkaBroker({ brokerCount: 1, topics: { [TEST_TOPIC]: TEST_PARTITIONS, [`${TEST_TOPIC}.dlq`]: 1 } });
    freshEnv = { ...stack.env, KAFKA_BROKERS: freshBroker.brokers.join(',') };

    const api = await startApi(freshEnv);
    const projector = await startProjector(freshEnv);

    const report = api.app.get<LogIntegrityMonitor>(LOG_INTEGRITY).report;
    expect(report).toMatchObject({ ok: false, missingEvents: projected });
    expect(new Set(report?.findings.map((finding) => finding.kind))).toEqual(new Set(['read_model_ahead']));
    expect(report?.findings[0].detail).toMatch(/^partition \d: the read model holds \d+ events at offsets up to \d+, but the topic ends before offset 0$/);
    expect(projector.app.get<LogIntegrityMonitor>(LOG_INTEGRITY).report).toMatchObject({ ok: false, missingEvents: projected });

    // The start-up line, as the monitor writes it (the apps here log nothing).
    const lines: Array<{ level: string; text?: string }> = [];
    const recording: LoggerService = {
      log: (_fields, text) => lines.push({ level: 'info', text }),
      warn: (_fields, text) => lines.push({ level: 'warn', text }),
      error: (_fields, text) => lines.push({ level: 'error', text }),
    };
    const log = api.app.get<KafkaEventLog>(EVENT_LOG);
    await new LogIntegrityMonitor(async () => checkKafkaLogIntegrity(await log.describeLag(READ_MODEL_GROUP), api.app.get(CLICKHOUSE)), recording).run();
    expect(lines).toEqual([{ level: 'error', text: expect.stringContaining('event log integrity: the log lacks events') }]);
    expect(lines[0].text).toContain('there is no repair for a Kafka topic: the fix is `waymark replay`');

    for (const { url } of [api, projector]) {
      const answer = await ready(url);
      expect(answer.status).toBe(503);
      expect(answer.codes).toContain('log_behind_read_model');
      expect(answer.body.reasons).toContainEqual({ code: 'log_behind_read_model', detail: expect.stringContaining('the fix is `waymark replay`') });
      const metric = await metrics(url);
      expect(metric('waymark_log_integrity_missing_events')).toBe(projected);
      expect(metric('waymark_not_ready_reason', { reason: 'log_behind_read_model' })).toBe(1);
      expect(metric('waymark_ready')).toBe(0);
    }
    // Not ready, but up: health, metrics and writes still answer.
    expect((await ready(api.url)).codes).toEqual(['log_behind_read_model']);

    // The same users again: the same partitions and offsets, one record per batch, as
    // before the loss. Each is still projected: a batch's dedup token carries a
    // fingerprint of its records, not offsets alone (with offsets alone ClickHouse
    // dropped these as retries of the old batches).
    for (let index = 0; index < SESSIONS; index += 1) {
      newSessionIds.push(await startProjectedSession(api.url, `integrity-user-${index}`));
    }
  });

  it('`waymark replay` rebuilds the read model from the topic as it is; after a restart the check passes', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['replay'], {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
      progress: () => undefined,
      isTty: false,
      env: freshEnv,
    });
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out.at(-1)).toContain('completed; the new read model is live');
    // The lost events leave the read model: the topic is the truth (the sessions started since are in it).
    expect(await eventsInReadModel()).toBe(SESSIONS);
    expect(await sessionsInReadModel(newSessionIds)).toBe(SESSIONS);

    await stopAll();
    const api = await startApi(freshEnv);
    expect(api.app.get<LogIntegrityMonitor>(LOG_INTEGRITY).report).toMatchObject({ ok: true, missingEvents: 0 });
    expect(
      (
        await waitFor(
          () => ready(api.url),
          (answer) => answer.status === 200,
          20_000,
          200,
        )
      ).codes,
    ).toEqual([]);
    expect((await metrics(api.url))('waymark_log_integrity_missing_events')).toBe(0);
  });
});
