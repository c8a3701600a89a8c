import { ClickHouseClient } from '@clickhouse/client';
import { CLICKHOUSE } from '@waymark/read-model';
import { ErasureReceipt, UserExportLine, WaymarkClient, WaymarkError } from '@waymark/sdk';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { API_CONFIG } from '../../apps/api/src/config/api-config.provider';
import { ApiConfig } from '../../apps/api/src/config/api.config';
import { ERASURE_STEPS } from '../../apps/api/src/users/erasure/erasure-progress';
import { UserErasure } from '../../apps/api/src/users/erasure/user-erasure';
import { RunningApi, TEST_KEY, startApi } from '../support/api-app';
import { waitFor } from '../support/wait-for';

const PRODUCT = 'my-product-tag';
const TAG = 'session-tag';
const run = Date.now().toString(36);

/** A user whose identifier and data values are strings found nowhere else. */
function person(name: string) {
  const identifier = `${name}.${run}+erasure@mail.test`;
  return {
    identifier,
    secrets: [identifier, `Quince-Lane-${name}-4471`, `tel-${name}-7700900123`],
    data: { userId: identifier, street: `Quince-Lane-${name}-4471`, details: { phone: `tel-${name}-7700900123` } },
  };
}

type Person = ReturnType<typeof person>;

/**
 * Erase and export, end to end, in the mode the Jest project runs (embedded, or Kafka +
 * Redis + a ClickHouse server): called by user-erasure.e2e.spec.ts (embedded) and
 * distributed-user-erasure.e2e.spec.ts (distributed).
 */
export function describeUserErasure(mode: 'embedded' | 'distributed'): void {
  describe(`erase and export a user (${mode})`, () => {
    jest.setTimeout(180_000);
    let api: RunningApi;
    let waymark: WaymarkClient;
    let clickhouse: ClickHouseClient;
    let config: ApiConfig;

    async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
      const result = await clickhouse.query({ query, query_params: params, format: 'JSONEachRow' });
      return result.json<T>();
    }

    async function eventCount(identifier: string): Promise<number> {
      const [row] = await rows<{ n: string }>(`SELECT count() AS n FROM events WHERE product = {p:String} AND identifier = {i:String}`, {
        p: PRODUCT,
        i: identifier,
      });
      return Number(row.n);
    }

    /** Starts a session per env, records activity, refreshes one; waits until the read model holds every event. */
    async function journeyOf(user: Person, envs: string[]): Promise<{ tokens: Array<{ env: string; token: string; refreshToken: string }>; events: number }> {
      const tokens: Array<{ env: string; token: string; refreshToken: string }> = [];
      let events = 0;
      for (const env of envs) {
        const started = await waymark.sessions.start({ product: PRODUCT, env, tag: TAG, data: user.data });
        await waymark.sessions.track({ product: PRODUCT, env, tag: TAG, token: started.token, records: [{ name: 'GET /profile' }, { name: 'POST /cart' }] });
        const refreshed = await waymark.sessions.refresh({ product: PRODUCT, env, tag: TAG, refreshToken: started.refreshToken });
        tokens.push({ env, token: refreshed.token, refreshToken: refreshed.refreshToken });
        events += 4;
      }
      await waitFor(
        () => eventCount(user.identifier),
        (n) => n >= events,
        30_000,
        100,
      );
      return { tokens, events };
    }

    async function collect(iterable: AsyncIterable<UserExportLine>): Promise<UserExportLine[]> {
      const lines: UserExportLine[] = [];
      for await (const line of iterable) lines.push(line);
      return lines;
    }

    /** Every row of every table of the read model, as text. */
    async function readModelText(): Promise<string> {
      const tables = await rows<{ name: string }>(
        "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine NOT IN ('MaterializedView', 'View') ORDER BY name",
      );
      const texts = await Promise.all(tables.map(async ({ name }) => JSON.stringify(await rows(`SELECT * FROM ${name}`))));
      return texts.join('\n');
    }

    /** User-hash tables hold no text: count the user's rows by hash in each. */
    async function hashedRows(identifier: string): Promise<number> {
      let total = 0;
      for (const table of ['events_by_quarter', 'user_days', 'activity_by_user']) {
        const [row] = await rows<{ n: string }>(`SELECT count() AS n FROM ${table} WHERE product = {p:String} AND user_hash = cityHash64(env, {i:String})`, {
          p: PRODUCT,
          i: identifier,
        });
        total += Number(row.n);
      }
      return total;
    }

    /** The files of the data directory (SQLite log, key store, their WAL files; chDB's own directory aside). */
    function dataFiles(): string[] {
      return readdirSync(api.dataDir)
        .map((name) => join(api.dataDir, name))
        .filter((path) => statSync(path).isFile());
    }

    async function kafkaText(): Promise<string> {
      const kafka = new Kafka({ clientId: 'erasure-test', brokers: config.distributed!.kafka.brokers, logLevel: logLevel.NOTHING });
      const admin = kafka.admin();
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(config.distributed!.kafka.topic);
      await admin.disconnect();
      const total = offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
      const consumer = kafka.consumer({ groupId: `erasure-test-${Date.now()}` });
      const seen: string[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic: config.distributed!.kafka.topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(`${message.key?.toString('utf8') ?? ''}\t${message.value?.toString('utf8') ?? ''}`);
        },
      });
      await waitFor(
        () => seen.length,
        (n) => n >= total,
        30_000,
        100,
      );
      await consumer.disconnect();
      return seen.join('\n');
    }

    async function redisText(): Promise<string> {
      const redis = new Redis(config.distributed!.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
      try {
        const keys = await redis.keys('*');
        const values = await Promise.all(keys.map((key) => redis.dump(key)));
        return [...keys, ...values.map((value) => value?.toString() ?? '')].join('\n');
      } finally {
        redis.disconnect();
      }
    }

    /** Every place that must not hold the user: raw files, raw topic, Redis, every read-model table. */
    async function expectNowhere(user: Person): Promise<void> {
      const readModel = await readModelText();
      const files = dataFiles().map((path) => ({ path, bytes: readFileSync(path) }));
      const kafka = mode === 'distributed' ? await kafkaText() : '';
      const redis = mode === 'distributed' ? await redisText() : '';
      for (const secret of user.secrets) {
        expect({ secret, readModel: readModel.includes(secret) }).toEqual({ secret, readModel: false });
        for (const { path, bytes } of files) expect({ secret, path, found: bytes.includes(Buffer.from(secret)) }).toEqual({ secret, path, found: false });
        expect({ secret, kafka: kafka.includes(secret) }).toEqual({ secret, kafka: false });
        expect({ secret, redis: redis.includes(secret) || redis.includes(encodeURIComponent(secret)) }).toEqual({ secret, redis: false });
      }
      expect(await hashedRows(user.identifier)).toBe(0);
    }

    async function journeyEvents(user: Person, env: string): Promise<unknown[]> {
      const journey = await waymark.journeys.get({ product: PRODUCT, env, tag: TAG, identifier: user.identifier });
      // Sealed data is compared opened (the export below): a replay seals it again, with a fresh IV.
      return journey.events.map((event) => {
        const { sealedData: _sealed, ...data } = event.data;
        return { id: event.id, type: event.type, occurredAt: event.occurredAt, data };
      });
    }

    async function fullReplay(): Promise<void> {
      const started = await waymark.replays.start({ from: 'beginning' });
      const id = 'id' in started ? started.id : undefined;
      if (id === undefined) throw new Error('expected a replay id');
      const done = await waitFor(
        () => waymark.replays.get(id),
        (progress) => progress.status !== 'running',
        120_000,
        200,
      );
      expect(done.status).toBe('completed');
    }

    beforeAll(async () => {
      api = await startApi();
      waymark = new WaymarkClient({ baseUrl: api.baseUrl, apiKey: TEST_KEY, timeoutMs: 60_000 });
      clickhouse = api.app.get<ClickHouseClient>(CLICKHOUSE);
      config = api.app.get<ApiConfig>(API_CONFIG);
    });

    afterAll(async () => {
      await api?.close();
    });

    it('exports, then erases a user everywhere (files, topic, Redis, read model, a full replay), other users untouched', async () => {
      const erin = person('erin');
      const kim = person('kim');
      const { tokens, events } = await journeyOf(erin, ['snd', 'prd']);
      await journeyOf(kim, ['snd']);
      const kimBefore = await journeyEvents(kim, 'snd');
      const kimExport = async () => (await collect(waymark.users.export({ product: PRODUCT, identifier: kim.identifier }))).slice(1);
      const kimExportBefore = await kimExport();
      expect(kimExportBefore.filter((line) => line.kind === 'session')).toEqual([expect.objectContaining({ data: kim.data })]);

      // Export: the user's sessions and events, their data opened.
      const exported = await collect(waymark.users.export({ product: PRODUCT, identifier: erin.identifier }));
      expect(exported[0]).toMatchObject({ kind: 'export', product: PRODUCT, identifier: erin.identifier });
      expect(exported.at(-1)).toEqual({ kind: 'end', sessions: 2, events });
      const sessions = exported.filter((line) => line.kind === 'session');
      expect(sessions.map((line) => line.env).sort()).toEqual(['prd', 'snd']);
      for (const line of sessions) expect(line).toMatchObject({ data: erin.data, tag: TAG });
      const started = exported.filter((line) => line.kind === 'event' && line.type === 'SessionStarted');
      expect(started).toHaveLength(2);
      for (const line of started) expect(line.kind === 'event' && line.data.data).toEqual(erin.data);
      expect(exported.filter((line) => line.kind === 'event').map((line) => line.kind === 'event' && line.type)).toEqual(
        expect.arrayContaining(['SessionStarted', 'SessionActivityRecorded', 'SessionRefreshed']),
      );
      expect(JSON.stringify(exported)).not.toContain(kim.identifier);

      // Erase.
      const t0 = performance.now();
      const receipt = await waymark.users.erase({ product: PRODUCT, identifier: erin.identifier });
      const tookMs = performance.now() - t0;
      process.stdout.write(`erasure (${mode}) took ${tookMs.toFixed(0)} ms with ${events} events of the user\n`);
      expect(receipt).toMatchObject({
        product: PRODUCT,
        identifier: erin.identifier,
        scope: { envs: [], tags: [], wholeProduct: true },
        sessionsRevoked: 2,
        sessionsErased: 2,
        keyDestroyed: true,
        kept: [],
        repeated: false,
      });
      // The revocations' events too when the projector read them before the key was gone.
      expect(receipt.readModelRowsDeleted.events).toBeGreaterThanOrEqual(events);
      expect(receipt.readModelRowsDeleted.events).toBeLessThanOrEqual(events + 2);
      expect(receipt.readModelRowsDeleted.journey_events).toBe(receipt.readModelRowsDeleted.events);
      expect(receipt.readModelRowsDeleted.sessions).toBeGreaterThanOrEqual(2);

      // Its sessions' tokens are refused until they expire; a refresh too.
      for (const { env, token, refreshToken } of tokens) {
        expect(await waymark.sessions.verify({ product: PRODUCT, env, tag: TAG, token })).toEqual({ valid: false, reason: 'revoked' });
        await expect(waymark.sessions.refresh({ product: PRODUCT, env, tag: TAG, refreshToken })).rejects.toBeInstanceOf(WaymarkError);
      }

      // IdentifierErased, once, without personal data.
      await waitFor(
        () => rows<{ data: string }>(`SELECT data FROM events WHERE type = 'IdentifierErased' AND event_id = {id:UUID}`, { id: receipt.eventId }),
        (found) => found.length === 1,
        30_000,
        100,
      );

      await expectNowhere(erin);
      expect(await collect(waymark.users.export({ product: PRODUCT, identifier: erin.identifier }))).toEqual([
        expect.objectContaining({ kind: 'export' }),
        { kind: 'end', sessions: 0, events: 0 },
      ]);

      // Asked again: the first receipt.
      expect(await waymark.users.erase({ product: PRODUCT, identifier: erin.identifier })).toEqual({ ...receipt, repeated: true });

      // A fresh full replay does not bring the user back, and rebuilds the other user as they were.
      await fullReplay();
      await expectNowhere(erin);
      expect(await journeyEvents(kim, 'snd')).toEqual(kimBefore);
      expect(await kimExport()).toEqual(kimExportBefore);
    });

    it('answers a receipt with zero counts for an unknown user', async () => {
      const receipt = await waymark.users.erase({ product: PRODUCT, identifier: `nobody.${run}@mail.test` });
      expect(receipt).toMatchObject({ sessionsRevoked: 0, sessionsErased: 0, keyDestroyed: false, repeated: false });
      expect(Object.values(receipt.readModelRowsDeleted).every((n) => n === 0)).toBe(true);
    });

    it('erases a user who came back after an erasure again, with a new receipt', async () => {
      const olga = person('olga');
      await journeyOf(olga, ['snd']);
      const first = await waymark.users.erase({ product: PRODUCT, identifier: olga.identifier });
      expect(await waymark.users.erase({ product: PRODUCT, identifier: olga.identifier })).toEqual({ ...first, repeated: true });
      const { events } = await journeyOf(olga, ['prd']);
      const second = await waymark.users.erase({ product: PRODUCT, identifier: olga.identifier });
      expect(second).toMatchObject({ repeated: false, keyDestroyed: true, sessionsRevoked: 1 });
      expect(second.eventId).not.toBe(first.eventId);
      expect(second.readModelRowsDeleted.events).toBeGreaterThanOrEqual(events);
      expect(await eventCount(olga.identifier)).toBe(0);
    });

    it('erases one env only and says what it keeps', async () => {
      const dana = person('dana');
      await journeyOf(dana, ['dev', 'snd']);
      const receipt = await waymark.users.erase({ product: PRODUCT, identifier: dana.identifier, envs: ['dev'] });
      expect(receipt).toMatchObject({ scope: { envs: ['dev'], tags: [], wholeProduct: false }, sessionsRevoked: 1, keyDestroyed: false });
      expect(receipt.kept.join(' ')).toContain('key');
      // The dev session's four events and its revocation (the key is kept, so it was projected).
      expect(receipt.readModelRowsDeleted.events).toBe(5);
      expect((await journeyEvents(dana, 'dev')).length).toBe(0);
      expect((await journeyEvents(dana, 'snd')).length).toBe(4);
    });

    it('refuses bad input with the field at fault', async () => {
      const error = await waymark.users.erase({ product: PRODUCT, identifier: 'x', envs: ['nowhere'] }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ status: 422, code: 'ENV_NOT_FOUND', fieldErrors: [{ field: 'envs.0' }] });
      const invalid = await waymark.users.erase({ product: PRODUCT, identifier: '' }).catch((caught: unknown) => caught);
      expect(invalid).toMatchObject({ status: 400, code: 'INVALID_REQUEST', fieldErrors: [expect.objectContaining({ field: 'identifier' })] });
    });

    it.each(ERASURE_STEPS.map((step) => [step]))('finishes an erasure that crashed after step %s when asked again', async (step) => {
      const user = person(`crash-${step}`);
      const { events } = await journeyOf(user, ['snd']);
      const erasure = api.app.get(UserErasure);
      erasure.stepHook = (at) => {
        if (at === step) throw new Error(`crash after ${step}`);
      };
      try {
        await expect(waymark.users.erase({ product: PRODUCT, identifier: user.identifier })).rejects.toMatchObject({ status: 500 });
      } finally {
        erasure.stepHook = undefined;
      }
      const receipt = await waymark.users.erase({ product: PRODUCT, identifier: user.identifier });
      expect(receipt).toMatchObject({ sessionsRevoked: 1, keyDestroyed: true, repeated: false });
      // Counted before the crash, or by the retry: the user's rows either way.
      expect(receipt.readModelRowsDeleted.events).toBeGreaterThanOrEqual(events);
      expect(receipt.readModelRowsDeleted.events).toBeLessThanOrEqual(events + 1);
      expect(await eventCount(user.identifier)).toBe(0);
      expect(await hashedRows(user.identifier)).toBe(0);
      await waitFor(
        () => rows<{ n: string }>(`SELECT count() AS n FROM events WHERE type = 'IdentifierErased' AND event_id = {id:UUID}`, { id: receipt.eventId }),
        ([row]) => Number(row.n) >= 1,
        30_000,
        100,
      );
      // Exactly once in the log (the read model keeps a duplicate until merges).
      const [row] = await rows<{ n: string }>(`SELECT count() AS n FROM events WHERE type = 'IdentifierErased' AND event_id = {id:UUID}`, {
        id: receipt.eventId,
      });
      expect(Number(row.n)).toBe(1);
      if (mode === 'embedded' && existsSync(join(api.dataDir, 'waymark.db'))) {
        for (const secret of user.secrets) expect(readFileSync(join(api.dataDir, 'waymark.db')).includes(Buffer.from(secret))).toBe(false);
      }
    });
  });
}

export type { ErasureReceipt };
