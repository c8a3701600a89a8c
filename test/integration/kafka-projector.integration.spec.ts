import { ClickHouseClient } from '@clickhouse/client';
import { KafkaEventLog, LoggedRecord } from '@waymark/event-log';
import { EventsProjection, Projector } from '@waymark/projection';
import { JourneyRepository, createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { join } from 'node:path';
import { sessionStarted } from '../support/events';
import { KafkaTestBroker, kafkaTestOptions, recordingLogger, startKafkaBroker } from '../support/kafka-broker';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const options = { group: 'read-model', maxBatch: 200, maxWaitMs: 100, retryBaseMs: 10, retryMaxMs: 100 };
const key = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' };

/** The projector, unchanged, reading a KafkaEventLog consumer and writing to ClickHouse on chDB. */
describe('Kafka event log → projector → ClickHouse (chDB)', () => {
  const dir = makeTempDir('kafka-projector');
  let broker: KafkaTestBroker;
  let log: KafkaEventLog;
  let clickhouse: ClickHouseClient;

  beforeAll(async () => {
    broker = await startKafkaBroker({
      brokerCount: 3,
      topics: { 'projected.events': 6, 'projected.events.dlq': 1, 'restarted.events': 6, 'restarted.events.dlq': 1 },
    });
    log = new KafkaEventLog(kafkaTestOptions(broker.brokers, 'projected.events', 6), recordingLogger());
    await log.connect();
    clickhouse = createReadModelClient({ kind: 'chdb', path: join(dir.path, 'clickhouse') });
    await migrateReadModel(clickhouse);
  });

  afterAll(async () => {
    await log?.close();
    await clickhouse?.close();
    await broker?.stop();
    dir.remove();
  });

  async function countRows(prefix = 'kafka-'): Promise<{ rows: number; unique: number }> {
    const result = await clickhouse.query({
      query: 'SELECT count() AS rows, uniqExact(event_id) AS unique FROM events WHERE startsWith(identifier, {prefix:String})',
      query_params: { prefix },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ rows: string; unique: string }>();
    return { rows: Number(row.rows), unique: Number(row.unique) };
  }

  it('projects every appended event exactly once, dead-letters an unknown version, and serves journeys in time order', async () => {
    const logger = recordingLogger();
    const projector = new Projector(log.openConsumer(options.group), new EventsProjection(clickhouse), logger, options);
    projector.start();

    const t0 = Date.UTC(2026, 10, 26, 9);
    const events = Array.from({ length: 1500 }, (_, i) => sessionStarted(`kafka-${i % 50}`, t0 + i * 1000));
    // Appends arrive concurrently, in chunks, while the projector is already running.
    await Promise.all(Array.from({ length: 30 }, (_, chunk) => log.append(events.slice(chunk * 50, chunk * 50 + 50))));
    // A version this build does not know: dead-lettered, and the stream goes on.
    await log.append([sessionStarted('kafka-future', t0, { version: 99 })]);

    await waitFor(
      async () => ({ ...(await countRows()), deadLettered: projector.stats.deadLettered }),
      (state) => state.unique === 1500 && state.deadLettered === 1,
      60_000,
      100,
    );
    await projector.stop();

    expect(await countRows()).toEqual({ rows: 1500, unique: 1500 });
    expect(projector.stats.projected).toBe(1500);
    expect(projector.stats.failures).toBe(0);
    expect(projector.stats.deadLettered).toBe(1);
    expect(logger.warnings).toContain('event dead-lettered');

    const journey = await new JourneyRepository(clickhouse).find({ ...key, identifier: 'kafka-7' }, 100);
    expect(journey.events.map((event) => event.id)).toEqual(events.filter((event) => event.identifier === 'kafka-7').map((event) => event.id));
  }, 90_000);

  it('a projector that dies between an insert and its commit, restarted with other batch bounds: every event lands, none is dropped', async () => {
    const restartedLog = new KafkaEventLog(kafkaTestOptions(broker.brokers, 'restarted.events', 6), recordingLogger());
    await restartedLog.connect();
    const t0 = Date.UTC(2026, 10, 27, 9);
    const events = Array.from({ length: 3000 }, (_, i) => sessionStarted(`restart-${i % 60}`, t0 + i * 1000));
    const appended = Promise.all(Array.from({ length: 30 }, (_, chunk) => restartedLog.append(events.slice(chunk * 100, chunk * 100 + 100))));

    // The first projector inserts its third batch into ClickHouse, then "dies" before the
    // commit: its insert never returns to it, and its consumer leaves the group.
    const projection = new EventsProjection(clickhouse);
    let inserts = 0;
    let diedAfterInsert!: () => void;
    const died = new Promise<void>((resolve) => (diedAfterInsert = resolve));
    const dying = Object.create(projection) as EventsProjection;
    dying.project = async (records: readonly LoggedRecord[], token: string) => {
      const result = await projection.project(records, token);
      inserts += 1;
      if (inserts < 3) return result;
      diedAfterInsert();
      return new Promise<never>(() => undefined);
    };
    const firstConsumer = restartedLog.openConsumer(options.group);
    new Projector(firstConsumer, dying, recordingLogger(), { ...options, maxBatch: 400 }).start();
    await died;
    await firstConsumer.close();
    const beforeRestart = await countRows('restart-');
    expect(beforeRestart.unique).toBeGreaterThan(0);

    // Restarted with other batch bounds, so the uncommitted batch comes back grouped
    // differently: its insert must not be taken for a retry of anything already written.
    const restarted = new Projector(restartedLog.openConsumer(options.group), new EventsProjection(clickhouse), recordingLogger(), {
      ...options,
      maxBatch: 170,
    });
    restarted.start();
    await appended;
    const final = await waitFor(
      () => countRows('restart-'),
      (counts) => counts.unique === 3000,
      60_000,
      100,
    );
    // Every partition committed to its end, by the restarted member.
    await waitFor(
      () => restartedLog.describeLag(options.group),
      (lag) => lag.total === 0,
      10_000,
      100,
    );
    await restarted.stop();
    await restartedLog.close();

    expect(final.unique).toBe(3000);
    // The batch inserted before the "crash" is written again (another grouping, another
    // token): duplicates the readers collapse, never a loss.
    expect(final.rows).toBeGreaterThanOrEqual(3000);
    expect(restarted.stats.failures).toBe(0);
  }, 120_000);
});
