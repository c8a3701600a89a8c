import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createFastifyAdapter } from '@waymark/http';
import { EventEnvelope } from '@waymark/domain';
import Database from 'better-sqlite3';
import { Kafka, logLevel } from 'kafkajs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { loadApiConfig } from '../../apps/api/src/config/api.config';
import { runCli } from '../../apps/cli/src/cli';
import { loadProjectorConfig } from '../../apps/projector/src/config/projector.config';
import { ProjectorAppModule } from '../../apps/projector/src/projector-app.module';
import { AUTH, SEED_BODY, TEST_KEY, postJson, readJson, startApi } from '../support/api-app';
import { DistributedStack, startDistributedStack } from '../support/distributed-stack';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const scope = { product: SEED_BODY.product, env: SEED_BODY.env, tag: SEED_BODY.tag };
const run = Date.now().toString(36);
const KEPT = `kept.${run}@mail.test`;
const REVOKED = `revoked.${run}@mail.test`;
const ERASED = `erased.${run}@mail.test`;
const ERASED_MARK = `Erased-Street-${run}`;

async function cli(args: string[], env: NodeJS.ProcessEnv) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t), progress: (t) => err.push(t), isTty: false, env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Every record of the topic, in no particular order across partitions. */
async function topicEvents(stack: DistributedStack): Promise<EventEnvelope[]> {
  const kafka = new Kafka({ clientId: 'migrate-test', brokers: stack.broker.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(stack.env.KAFKA_TOPIC);
  await admin.disconnect();
  const total = offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
  const events: EventEnvelope[] = [];
  if (total === 0) return events;
  const consumer = kafka.consumer({ groupId: `migrate-test-${Math.random()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: stack.env.KAFKA_TOPIC, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          events.push(JSON.parse((message.value ?? Buffer.alloc(0)).toString()) as EventEnvelope);
          if (events.length === total) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return events;
}

describe('waymark migrate-to-distributed (embedded data dir → Kafka, Redis, ClickHouse)', () => {
  jest.setTimeout(240_000);
  const embedded = makeTempDir('migrate-from');
  const distributedDir = makeTempDir('migrate-to');
  let stack: DistributedStack;
  /** The distributed apps and the CLI get the embedded service's keys (its files), not the stack's own. */
  let targetEnv: NodeJS.ProcessEnv;
  const tokens: Record<string, { sessionId: string; token: string; refreshToken: string }> = {};
  let logEvents: Array<{ id: string; occurredAt: string }>;
  let embeddedJourney: string[];

  beforeAll(async () => {
    const api = await startApi({ DATA_DIR: embedded.path });
    try {
      for (const identifier of [KEPT, REVOKED, ERASED]) {
        const started = await postJson(`${api.baseUrl}/v1/sessions`, {
          ...scope,
          data: { userId: identifier, street: identifier === ERASED ? ERASED_MARK : 'Elm' },
        });
        expect(started.status).toBe(201);
        tokens[identifier] = await readJson(started);
        const tracked = await postJson(`${api.baseUrl}/v1/sessions/activity`, {
          ...scope,
          token: tokens[identifier].token,
          records: [{ name: 'GET /home' }, { name: 'POST /cart' }],
        });
        expect(tracked.status).toBe(201);
      }
      const refreshed = await postJson(`${api.baseUrl}/v1/sessions/refresh`, { ...scope, refreshToken: tokens[KEPT].refreshToken });
      expect(refreshed.status).toBe(200);
      tokens[KEPT] = { ...tokens[KEPT], ...(await readJson(refreshed)) };
      expect((await postJson(`${api.baseUrl}/v1/sessions/revoke`, { ...scope, sessionId: tokens[REVOKED].sessionId })).status).toBe(200);
      expect((await postJson(`${api.baseUrl}/v1/users/erase`, { product: scope.product, identifier: ERASED })).status).toBe(200);
      const journey = await waitFor(
        async () => readJson(await fetch(`${api.baseUrl}/v1/journeys?${new URLSearchParams({ ...scope, identifier: KEPT })}`, { headers: AUTH })),
        (body) => body.events?.length === 4,
        30_000,
        100,
      );
      embeddedJourney = (journey.events as Array<{ id: string }>).map((event) => event.id);
    } finally {
      // Not api.close(): that removes the data directory, which is what is migrated.
      await api.app.close();
    }
    const db = new Database(join(embedded.path, 'waymark.db'), { readonly: true });
    logEvents = (db.prepare('SELECT body FROM events ORDER BY position').pluck().all() as string[]).map((body) => {
      const event = JSON.parse(body) as EventEnvelope;
      return { id: event.id, occurredAt: event.occurredAt };
    });
    db.close();

    stack = await startDistributedStack();
    const { TOKEN_KEYS: _token, PRIVACY_KEYS: _privacy, ...stackEnv } = stack.env;
    targetEnv = { ...stackEnv, TOKEN_KEYS_FILE: join(embedded.path, 'token-keys.json') };
  });

  afterAll(async () => {
    await stack?.stop();
    embedded.remove();
    distributedDir.remove();
  });

  it('refuses without --yes, then stops where --max-events says and resumes to the end, with a passing check', async () => {
    const refused = await cli(['migrate-to-distributed', '--data-dir', embedded.path], targetEnv);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/--yes/);

    const first = await cli(['migrate-to-distributed', '--data-dir', embedded.path, '--yes', '--max-events', '5'], targetEnv);
    expect(first.err).toMatch(/stopped after 5 events/);
    expect(first.code).toBe(0);
    expect(await topicEvents(stack)).toHaveLength(5);

    const second = await cli(['migrate-to-distributed', '--data-dir', embedded.path, '--json'], targetEnv);
    expect(second.err).toMatch(/events: .* appended/);
    expect(second.code).toBe(0);
    const report = JSON.parse(second.out);
    expect(report.check).toMatchObject({ ok: true, logEvents: logEvents.length, kafkaRecords: logEvents.length, problems: [] });
    // The erased user's events stay in the topic (stored under a subject whose key is gone) and are left out.
    expect(report.check.replaySkipped).toBeGreaterThan(0);
    expect(report.check.readModelEvents).toBe(logEvents.length - report.check.replaySkipped);
    expect(report.state.keys.erasures).toBe(1);
  });

  it('put every event in the topic once, with its id and time, and nothing of the erased user in the clear', async () => {
    const events = await topicEvents(stack);
    expect(events.map((event) => ({ id: event.id, occurredAt: event.occurredAt })).sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      [...logEvents].sort((a, b) => a.id.localeCompare(b.id)),
    );
    const text = JSON.stringify(events);
    expect(text).not.toContain(ERASED);
    expect(text).not.toContain(ERASED_MARK);
    expect(text).not.toContain(KEPT); // stored under subjects, as the distributed API would have written them
  });

  it('a distributed API on the target serves the migrated sessions: refresh works, revoked stays revoked, journeys match', async () => {
    const apiApp = await createApiApp(
      loadApiConfig({
        ...targetEnv,
        DATA_DIR: distributedDir.path,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        WAYMARK_BOOTSTRAP_KEY: TEST_KEY,
      }),
    );
    await apiApp.listen({ port: 0, host: '127.0.0.1' });
    const projector = await NestFactory.create<NestFastifyApplication>(
      ProjectorAppModule.forRoot(loadProjectorConfig({ ...targetEnv, DATA_DIR: distributedDir.path, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' })),
      createFastifyAdapter({ bodyLimitBytes: 1024 }),
      { logger: false, abortOnError: false },
    );
    await projector.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(apiApp.getHttpServer().address() as AddressInfo).port}`;
    try {
      const verified = await readJson(await postJson(`${url}/v1/sessions/verify`, { ...scope, token: tokens[KEPT].token }));
      expect(verified).toMatchObject({ valid: true, identifier: KEPT, data: { userId: KEPT, street: 'Elm' } });
      const refreshed = await postJson(`${url}/v1/sessions/refresh`, { ...scope, refreshToken: tokens[KEPT].refreshToken });
      expect(refreshed.status).toBe(200);
      expect(await readJson(await postJson(`${url}/v1/sessions/verify`, { ...scope, token: tokens[REVOKED].token }))).toEqual({
        valid: false,
        reason: 'revoked',
      });
      const journey = await readJson(await fetch(`${url}/v1/journeys?${new URLSearchParams({ ...scope, identifier: KEPT })}`, { headers: AUTH }));
      const ids = (journey.events as Array<{ id: string }>).map((event) => event.id);
      // The refresh just made joins the journey once the projector has it; the migrated ones are there already.
      expect(ids.slice(0, embeddedJourney.length)).toEqual(embeddedJourney);
      const erased = await readJson(await fetch(`${url}/v1/journeys?${new URLSearchParams({ ...scope, identifier: ERASED })}`, { headers: AUTH }));
      expect(erased.events ?? []).toEqual([]);
    } finally {
      await apiApp.close();
      await projector.close();
    }
  });

  it('run again, it appends nothing and checks again', async () => {
    const before = (await topicEvents(stack)).length;
    const again = await cli(['migrate-to-distributed', '--data-dir', embedded.path], targetEnv);
    expect(again.out).toMatch(/^migrated: /);
    expect(again.code).toBe(0);
    // The refresh made through the distributed API above is the only record added since.
    expect((await topicEvents(stack)).length).toBe(before);
  });

  it('refuses to migrate another data directory into a target that is not empty', async () => {
    const other = makeTempDir('migrate-other');
    try {
      const api = await startApi({ DATA_DIR: other.path });
      expect((await postJson(`${api.baseUrl}/v1/sessions`, { ...scope, data: { userId: `other.${run}` } })).status).toBe(201);
      await api.app.close();
      const refused = await cli(['migrate-to-distributed', '--data-dir', other.path, '--yes'], {
        ...targetEnv,
        TOKEN_KEYS_FILE: join(other.path, 'token-keys.json'),
      });
      expect(refused.code).toBe(2);
      expect(refused.err).toMatch(/the target is not empty/);
    } finally {
      other.remove();
    }
  });
});
