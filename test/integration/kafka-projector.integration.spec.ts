import { ClickHouseClient } from '@clickhouse/client';
import { KafkaEventLog } from '@waymark/event-log';
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
    broker = await startKafkaBroker({ brokerCount: 3, topics: { 'projected.events': 6, 'projected.events.dlq': 1 } });
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

  async function countRows(): Promise<{ rows: number; unique: number }> {
    const result = await clickhouse.query({
      query: 'SELECT count() AS rows, uniqExact(event_id) AS unique FROM events WHERE startsWith(identifier, {prefix:String})',
      query_params: { prefix: 'kafka-' },
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
});
