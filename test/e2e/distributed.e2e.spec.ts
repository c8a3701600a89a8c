import { ClickHouseClient } from '@clickhouse/client';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CLICKHOUSE } from '@waymark/read-model';
import { WaymarkClient } from '@waymark/sdk';
import { Kafka, logLevel } from 'kafkajs';
import { AddressInfo } from 'node:net';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { loadApiConfig } from '../../apps/api/src/config/api.config';
import { TEST_KEY } from '../support/api-app';
import { DistributedStack, TEST_TOPIC, startDistributedStack } from '../support/distributed-stack';
import { sessionStarted } from '../support/events';
import { SpawnedProjector, spawnProjector } from '../support/spawned-projector';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const scope = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' };

/** Two API instances and a projector process over one Kafka, Redis and ClickHouse. */
describe('distributed mode: several processes, one cluster', () => {
  let stack: DistributedStack;
  const apis: NestFastifyApplication[] = [];
  let a: WaymarkClient;
  let b: WaymarkClient;
  let projector: SpawnedProjector;
  const dirs = [makeTempDir('dist-a'), makeTempDir('dist-b')];

  beforeAll(async () => {
    stack = await startDistributedStack();
    const clients: WaymarkClient[] = [];
    for (const dir of dirs) {
      const app = await createApiApp(
        loadApiConfig({
          ...stack.env,
          DATA_DIR: dir.path,
          PORT: '0',
          HOST: '127.0.0.1',
          LOG_LEVEL: 'silent',
          NODE_ENV: 'test',
          WAYMARK_BOOTSTRAP_KEY: TEST_KEY,
          PROJECTOR_BATCH_SIZE: '20',
          TOKEN_KEYS_FILE: `${dirs[0].path}/token-keys.json`,
        }),
      );
      await app.listen({ port: 0, host: '127.0.0.1' });
      apis.push(app);
      clients.push(new WaymarkClient({ baseUrl: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`, apiKey: TEST_KEY }));
    }
    [a, b] = clients;
    projector = await spawnProjector(stack.env);
  });

  afterAll(async () => {
    await projector?.stop();
    for (const app of apis) await app.close();
    await stack?.stop();
    for (const dir of dirs) dir.remove();
  });

  it('a session started on A is verified on B and reaches the journey through Kafka and the projector', async () => {
    const session = await a.sessions.start({ ...scope, data: { userId: 'dist-user' } });
    expect(await b.sessions.verify({ ...scope, token: session.token })).toMatchObject({ valid: true, identifier: 'dist-user' });
    const journey = await waitFor(
      () => b.journeys.get({ ...scope, identifier: 'dist-user' }),
      (j) => j.events.length === 1,
      15_000,
      100,
    );
    expect(journey.sessions[0].sessionId).toBe(session.sessionId);
  });

  it('instance A revokes a session and instance B refuses its token within 1 second', async () => {
    const session = await a.sessions.start({ ...scope, data: { userId: 'revoke-across' } });
    expect((await b.sessions.verify({ ...scope, token: session.token })).valid).toBe(true);
    await a.sessions.revoke({ ...scope, sessionId: session.sessionId });
    const revokedAt = Date.now();
    await waitFor(
      () => b.sessions.verify({ ...scope, token: session.token }),
      (verdict) => !verdict.valid,
      1000,
      10,
    );
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    // A refresh raced on B with the same token as on A: exactly one rotation.
    const other = await a.sessions.start({ ...scope, data: { userId: 'race-across' } });
    const [onA, onB] = await Promise.all([
      a.sessions.refresh({ ...scope, refreshToken: other.refreshToken }),
      b.sessions.refresh({ ...scope, refreshToken: other.refreshToken }),
    ]);
    expect(onA.refreshToken).toBe(onB.refreshToken);
  });

  it('a malformed message lands in the dead-letter topic with its reason, and later events still arrive', async () => {
    const kafka = new Kafka({ clientId: 'test-poison', brokers: stack.broker.brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: TEST_TOPIC, messages: [{ key: 'poison', value: '{"this is": "not an envelope"' }] });
    await producer.disconnect();
    const after = await a.sessions.start({ ...scope, data: { userId: 'after-poison' } });
    await waitFor(
      () => b.journeys.get({ ...scope, identifier: 'after-poison' }),
      (j) => j.events.some((event) => event.sessionId === after.sessionId),
      15_000,
      100,
    );

    const consumer = kafka.consumer({ groupId: `dlq-reader-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: `${TEST_TOPIC}.dlq`, fromBeginning: true });
    const letters: Array<{ value: string; reason: string }> = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        letters.push({ value: message.value?.toString() ?? '', reason: String(message.headers?.['dead-letter-reason'] ?? message.headers?.reason ?? '') });
      },
    });
    await waitFor(
      () => letters.length,
      (count) => count >= 1,
      20_000,
      100,
    );
    await consumer.disconnect();
    expect(letters[0].value).toBe('{"this is": "not an envelope"');
    expect(letters[0].reason).toContain('malformed JSON');
  });

  it('projects a burst appended straight to Kafka exactly once', async () => {
    const clickhouse: ClickHouseClient = apis[0].get(CLICKHOUSE);
    const events = Array.from({ length: 300 }, (_, i) => sessionStarted(`burst-${i % 20}`, Date.UTC(2026, 10, 26) + i));
    const kafka = new Kafka({ clientId: 'test-burst', brokers: stack.broker.brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: TEST_TOPIC,
      messages: events.map((event) => ({ key: `${event.product}\u001f${event.env}\u001f${event.identifier}`, value: JSON.stringify(event) })),
    });
    await producer.disconnect();
    const counts = await waitFor(
      async () => {
        const result = await clickhouse.query({
          query: "SELECT uniqExact(event_id) AS n FROM events WHERE startsWith(identifier, 'burst-')",
          format: 'JSONEachRow',
        });
        return Number((await result.json<{ n: string }>())[0].n);
      },
      (n) => n === 300,
      20_000,
      200,
    );
    expect(counts).toBe(300);
  });

  it('replays through the admin API of either instance: started on A, cancelled and resumed on B, every event once', async () => {
    const clickhouse: ClickHouseClient = apis[0].get(CLICKHOUSE);
    const uniqueEvents = async () => {
      const result = await clickhouse.query({
        query: 'SELECT uniqExact(event_id) AS n, (SELECT uniqExact(session_id) FROM sessions) AS sessions FROM events',
        format: 'JSONEachRow',
      });
      const [row] = await result.json<{ n: string; sessions: string }>();
      return { events: Number(row.n), sessions: Number(row.sessions) };
    };
    for (let i = 0; i < 200; i += 1) await a.sessions.start({ ...scope, data: { userId: `replay-api-${i % 10}` } });
    // Every record in the topic is one event, but the malformed one of the dead-letter test.
    const plan = await b.replays.start({ dryRun: true });
    expect(plan.description).toContain('replay from the Kafka topic');
    const expected = plan.plan.events - 1;
    const live = await waitFor(uniqueEvents, (model) => model.events === expected, 30_000, 200);

    await clickhouse.command({ query: 'TRUNCATE TABLE events' });
    await clickhouse.command({ query: 'TRUNCATE TABLE sessions' });
    const started = await a.replays.start({});
    expect(started.progress).toMatchObject({ status: 'running', phase: 'replaying' });
    expect(await b.replays.cancel(started.id!)).toMatchObject({ cancelling: true });
    const interrupted = await waitFor(
      () => b.replays.get(started.id!),
      (progress) => progress.status !== 'running',
      30_000,
      50,
    );
    expect(interrupted).toMatchObject({ status: 'interrupted', phase: 'replaying' });
    expect(interrupted.processed).toBeLessThan(plan.plan.events);
    expect((await uniqueEvents()).events).toBe(0); // the live tables are untouched until the swap
    await expect(b.replays.start({})).rejects.toMatchObject({ status: 409, code: 'REPLAY_CONFLICT' });

    expect(await b.replays.resume(started.id!)).toMatchObject({ status: 'running' });
    const completed = await waitFor(
      () => a.replays.get(started.id!),
      (progress) => progress.status !== 'running',
      60_000,
      100,
    );
    expect(completed).toMatchObject({ status: 'completed', phase: 'done', skipped: 1 });
    expect(await uniqueEvents()).toEqual(live);
  });
});
