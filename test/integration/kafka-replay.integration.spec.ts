import { ClickHouseClient } from '@clickhouse/client';
import { EventEnvelope } from '@waymark/domain';
import { EVENT_COLUMNS } from '@waymark/read-model';
import { KafkaEventLog } from '@waymark/event-log';
import { EventsProjection, Projector } from '@waymark/projection';
import { JourneyRepository, createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { KafkaReplay, KafkaReplayJournal, KafkaReplayOptions, KafkaReplayProgress, replayMark } from '@waymark/replay';
import { createUuidV7Generator } from '@waymark/domain';
import { join } from 'node:path';
import { runCli } from '../../apps/cli/src/cli';
import { sessionStarted } from '../support/events';
import { KafkaTestBroker, kafkaTestOptions, recordingLogger, startKafkaBroker } from '../support/kafka-broker';
import { EXCHANGE, REPLAYED_TABLES, SWAP_DROP, failingAfter, liveMarks, shadowTables, tableContents } from '../support/replayed-tables';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const TOPIC = 'replayed.events';
const PARTITIONS = 4;
const projectorOptions = { group: 'read-model', maxBatch: 200, maxWaitMs: 100, retryBaseMs: 10, retryMaxMs: 100 };
const key = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' };

/**
 * Replay of the whole read model from Kafka while a live projector keeps projecting and
 * events keep arriving: no event missing afterwards, none counted twice (real Kafka
 * protocol on the mock broker, real ClickHouse SQL on chDB).
 */
describe('replay from Kafka beside a running projector', () => {
  jest.setTimeout(120_000);
  const dir = makeTempDir('kafka-replay');
  let broker: KafkaTestBroker;
  let log: KafkaEventLog;
  let clickhouse: ClickHouseClient;
  let projector: Projector;
  const appended: EventEnvelope[] = [];
  /** The product test's live-only row of another product, which the positions test then sees rebuilt away. */
  let keptOther = '';
  let clock = Date.UTC(2026, 10, 1);

  const nextEvents = (count: number) => Array.from({ length: count }, (_, i) => sessionStarted(`replay-user-${(appended.length + i) % 25}`, (clock += 1000)));

  async function append(count: number): Promise<void> {
    const events = nextEvents(count);
    await log.append(events);
    appended.push(...events);
  }

  async function readModel(): Promise<{ rows: number; unique: number; sessions: number }> {
    const result = await clickhouse.query({
      query: `SELECT (SELECT count() FROM events) AS rows, (SELECT uniqExact(event_id) FROM events) AS unique,
                     (SELECT uniqExact(session_id) FROM sessions) AS sessions`,
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ rows: string; unique: string; sessions: string }>();
    return { rows: Number(row.rows), unique: Number(row.unique), sessions: Number(row.sessions) };
  }

  /** `client` may be one that fails on purpose; the journal always writes through the real one. */
  function kafkaReplay(options: Partial<KafkaReplayOptions> = {}, client: ClickHouseClient = clickhouse): KafkaReplay {
    return new KafkaReplay(log, client, new KafkaReplayJournal(clickhouse), recordingLogger(), {
      batchSize: 64,
      newId: createUuidV7Generator(),
      now: Date.now,
      projectorGroup: 'read-model',
      ...options,
    });
  }

  /** Appends 10 events every `everyMs` until the returned stop is awaited. */
  function keepAppending(everyMs = 50): () => Promise<void> {
    let appending = true;
    const appender = (async () => {
      while (appending) {
        await append(10);
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
    })();
    return async () => {
      appending = false;
      await appender;
    };
  }

  /** A row only the live table has (no such event in Kafka): tells copied rows from replayed ones. */
  async function insertLiveOnlyRow(product: string, position: string): Promise<string> {
    const event = sessionStarted('live-only', (clock += 1000), { product });
    await clickhouse.insert({
      table: 'events',
      columns: [...EVENT_COLUMNS],
      values: [
        [
          event.id,
          event.type,
          event.version,
          event.occurredAt.slice(0, 10) + ' ' + event.occurredAt.slice(11, 23),
          event.product,
          event.env,
          event.tag,
          event.identifier,
          event.sessionId,
          JSON.stringify(event.data),
          JSON.stringify(event.meta),
          position,
        ],
      ],
      format: 'JSONCompactEachRow',
    });
    return event.id;
  }

  /** The appended events the read model lacks, named by product, log partition key and id. */
  async function missingEvents(): Promise<string[]> {
    const result = await clickhouse.query({ query: 'SELECT DISTINCT toString(event_id) AS id FROM events', format: 'JSONEachRow' });
    const present = new Set((await result.json<{ id: string }>()).map((row) => row.id));
    return appended.filter((event) => !present.has(event.id)).map((event) => `${event.product}/${event.identifier}/${event.id}`);
  }

  async function hasEvent(id: string): Promise<boolean> {
    const result = await clickhouse.query({ query: 'SELECT count() AS n FROM events WHERE event_id = {id:UUID}', query_params: { id }, format: 'JSONEachRow' });
    const [row] = await result.json<{ n: string }>();
    return Number(row.n) > 0;
  }

  beforeAll(async () => {
    broker = await startKafkaBroker({ brokerCount: 1, topics: { [TOPIC]: PARTITIONS, [`${TOPIC}.dlq`]: 1 } });
    log = new KafkaEventLog(kafkaTestOptions(broker.brokers, TOPIC, PARTITIONS), recordingLogger());
    clickhouse = createReadModelClient({ kind: 'chdb', path: join(dir.path, 'clickhouse') });
    await migrateReadModel(clickhouse);
    projector = new Projector(log.openConsumer('read-model'), new EventsProjection(clickhouse), recordingLogger(), projectorOptions);
    projector.start();
  });

  afterAll(async () => {
    await projector?.stop();
    await log?.close();
    await clickhouse?.close();
    await broker?.stop();
    dir.remove();
  });

  it('rebuilds a wiped read model while events keep arriving: every event once, sessions table too', async () => {
    await append(400);
    await waitFor(readModel, (model) => model.unique === 400, 60_000, 200);
    // The read model is lost; the log is not.
    await clickhouse.command({ query: 'TRUNCATE TABLE events' });
    await clickhouse.command({ query: 'TRUNCATE TABLE sessions' });
    expect((await readModel()).unique).toBe(0);

    // Appends go on during the whole replay, and the projector keeps projecting them.
    const stopAppending = keepAppending();
    const phases: KafkaReplayProgress[] = [];
    const result = await kafkaReplay({ onProgress: (progress) => phases.push(progress) }).start({ start: { kind: 'beginning' } });
    await stopAppending();

    expect(result.status).toBe('completed');
    expect(result.replayed).toBeGreaterThanOrEqual(400);
    expect(result.skipped).toBe(0);
    expect(phases.map((progress) => progress.phase)).toEqual(expect.arrayContaining(['replaying', 'swapping', 'catching-up', 'done']));
    expect(phases[phases.length - 1]).toMatchObject({ phase: 'done', status: 'completed', processed: result.processed });

    const total = appended.length;
    const model = await waitFor(readModel, (current) => current.unique === total && current.sessions === total, 60_000, 200);
    expect(model).toMatchObject({ unique: total, sessions: total });
    // Stored duplicates are possible (an event both caught up and projected); answers count each once.
    const journeys = new JourneyRepository(clickhouse);
    const user = 'replay-user-7';
    const journey = await journeys.find({ ...key, identifier: user }, 1000);
    expect(journey.events.map((event) => event.id).sort()).toEqual(
      appended
        .filter((event) => event.identifier === user)
        .map((event) => event.id)
        .sort(),
    );
  });

  it('is interrupted before the swap without touching the live tables, and resumes to the same read model', async () => {
    const total = appended.length;
    await waitFor(readModel, (model) => model.unique === total, 60_000, 200);
    await clickhouse.command({ query: 'TRUNCATE TABLE events' });
    const stop = new AbortController();
    const interrupted = await kafkaReplay({
      signal: stop.signal,
      onProgress: (progress) => {
        if (progress.replayed > 0) stop.abort();
      },
    }).start({ start: { kind: 'beginning' } });
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.replayed).toBeGreaterThan(0);
    expect(interrupted.replayed).toBeLessThan(total);
    // The live table is as it was (wiped); the shadow holds what was replayed.
    expect((await readModel()).unique).toBe(0);
    await expect(kafkaReplay().start({ start: { kind: 'beginning' } })).rejects.toThrow(/interrupted; resume or finish it first/);

    const resumed = await kafkaReplay().resume(interrupted.id);
    expect(resumed).toMatchObject({ status: 'completed', phase: 'done', attempt: 2 });
    expect(resumed.replayed).toBeGreaterThanOrEqual(total);
    const model = await waitFor(readModel, (current) => current.unique === total, 60_000, 200);
    expect(model.sessions).toBe(total);
    await expect(kafkaReplay().resume(interrupted.id)).rejects.toThrow(/completed/);
  });

  it("rebuilds one product only, keeping every other product's live rows as they are, while events arrive", async () => {
    const other = 'other-product';
    const events = Array.from({ length: 40 }, (_, i) => sessionStarted(`other-user-${i % 5}`, (clock += 1000), { product: other }));
    await log.append(events);
    appended.push(...events);
    await waitFor(readModel, (model) => model.unique === appended.length, 60_000, 200);
    keptOther = await insertLiveOnlyRow(other, '0:999999');
    const droppedMine = await insertLiveOnlyRow(key.product, '0:999998');
    // The product's rows are lost from the live table; the other product's are not.
    await clickhouse.command({
      query: 'ALTER TABLE events DELETE WHERE product = {product:String}',
      query_params: { product: key.product },
      clickhouse_settings: { mutations_sync: '2' },
    });

    const stopAppending = keepAppending(250);
    const result = await kafkaReplay({ batchSize: 256 }).start({ start: { kind: 'beginning' }, product: key.product });
    await stopAppending();
    expect(result.status).toBe('completed');

    const expected = appended.length;
    await waitFor(readModel, (current) => current.unique === expected + 1, 60_000, 200).catch(() => undefined);
    expect(await missingEvents()).toEqual([]);
    expect((await readModel()).unique).toBe(expected + 1);
    expect(await hasEvent(keptOther)).toBe(true); // copied from the live table, out of scope
    expect(await hasEvent(droppedMine)).toBe(false); // in scope, and not in the log
    const journeys = new JourneyRepository(clickhouse);
    const journey = await journeys.find({ ...key, identifier: 'replay-user-3' }, 1000);
    expect(journey.events.map((event) => event.id).sort()).toEqual(
      appended
        .filter((event) => event.product === key.product && event.identifier === 'replay-user-3')
        .map((event) => event.id)
        .sort(),
    );
  });

  it('replays from given partition offsets: rows before them are copied, partitions not named are rebuilt whole', async () => {
    const before = appended.length;
    await waitFor(readModel, (model) => model.unique >= before, 60_000, 200);
    const kept = await insertLiveOnlyRow(key.product, '2:0');
    const rebuilt = await insertLiveOnlyRow(key.product, '1:0');
    const result = await kafkaReplay().start({ start: { kind: 'position', position: '2:1,3:0' } });
    expect(result.status).toBe('completed');
    expect(await hasEvent(kept)).toBe(true);
    expect(await hasEvent(rebuilt)).toBe(false);
    expect(await hasEvent(keptOther)).toBe(false); // partition 0 is not named: rebuilt whole, and this row is not in the log
    expect((await readModel()).unique).toBe(appended.length + 1);
  });

  it('a crash in the middle of the swap is finished by resume (twice): the rest exchanged, then the catch-up, as a clean replay', async () => {
    await waitFor(readModel, (model) => model.unique >= appended.length, 60_000, 200);
    // The old tables differ from any rebuild, so an old table swapped back in shows.
    for (const table of REPLAYED_TABLES) await clickhouse.command({ query: `TRUNCATE TABLE ${table}` });
    const marked = async (id: string) => {
      const marks = await liveMarks(clickhouse);
      return REPLAYED_TABLES.filter((table) => marks[table] === replayMark(id));
    };
    // Events keep arriving and the projector keeps writing, through the views into the
    // old derived tables not yet exchanged: the catch-up after the swap covers them.
    const stopAppending = keepAppending(100);
    let resumed;
    try {
      const cut = await kafkaReplay({}, failingAfter(clickhouse, EXCHANGE, 2)).start({ start: { kind: 'beginning' } });
      expect(cut).toMatchObject({ status: 'failed', phase: 'swapping', error: expect.stringContaining('simulated crash') });
      expect(await marked(cut.id)).toEqual(REPLAYED_TABLES.slice(0, 2));

      const again = await kafkaReplay({}, failingAfter(clickhouse, SWAP_DROP, 0)).resume(cut.id);
      expect(again).toMatchObject({ status: 'failed', phase: 'swapping' });
      expect(await marked(cut.id)).toEqual(REPLAYED_TABLES);

      resumed = await kafkaReplay().resume(cut.id);
    } finally {
      await stopAppending();
    }
    expect(resumed).toMatchObject({ status: 'completed', phase: 'done', attempt: 3 });
    expect(await shadowTables(clickhouse)).toEqual([]);
    const total = appended.length;
    await waitFor(readModel, (current) => current.unique === total && current.sessions === total, 60_000, 200);
    expect(await missingEvents()).toEqual([]);
    const afterResume = await tableContents(clickhouse);
    expect(await kafkaReplay().start({ start: { kind: 'beginning' } })).toMatchObject({ status: 'completed' });
    expect(await tableContents(clickhouse)).toEqual(afterResume);
  });

  it('plans with --dry-run from the CLI, scoped and from partition offsets, and refuses a malformed position', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const env = {
      KAFKA_BROKERS: broker.brokers.join(','),
      KAFKA_TOPIC: TOPIC,
      KAFKA_PARTITIONS: String(PARTITIONS),
      KAFKA_IDEMPOTENT: 'false',
      CLICKHOUSE_URL: 'http://127.0.0.1:1',
    };
    const io = { out: (text: string) => out.push(text), err: (text: string) => err.push(text), progress: () => undefined, isTty: false, env };
    expect(await runCli(['replay', '--dry-run'], io)).toBe(0);
    expect(out.join('\n')).toContain(`${appended.length.toLocaleString('en-US')} records`);
    expect(await runCli(['replay', '--dry-run', '--product', 'my-product-tag', '--from', 'position:0:3,2:1'], io)).toBe(0);
    expect(out.join('\n')).toContain('product my-product-tag from partition offsets 0:3,2:1');
    expect(await runCli(['replay', '--from', 'position:12'], io)).toBe(2);
    expect(err.join('\n')).toContain('<partition>:<offset>');
  });
});
