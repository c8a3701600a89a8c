import { ClickHouseClient } from '@clickhouse/client';
import { LoggerService } from '@nestjs/common';
import { EventEnvelope, createUuidV7Generator, partitionKeyOf } from '@waymark/domain';
import { KafkaEventLog, ScannedRecord } from '@waymark/event-log';
import { EventsProjection, Projector } from '@waymark/projection';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { KafkaReplay, KafkaReplayJournal, KafkaReplayProgress, kafkaReplayProgress } from '@waymark/replay';
import { Kafka, logLevel } from 'kafkajs';
import { ClickHouseTestServer, startClickHouseServer } from '../support/clickhouse-server';
import { sessionStarted } from '../support/events';
import { KafkaTestBroker, kafkaTestOptions, recordingLogger, startKafkaBroker } from '../support/kafka-broker';
import { waitFor } from '../support/wait-for';

const TOPIC = 'poison-replay.events';
const DLQ = `${TOPIC}.dlq`;
const PARTITIONS = 3;
const GROUP = 'read-model';

/** Keeps every line with its fields, to read what the replay said of each refused event. */
function linesLogger(): LoggerService & { lines: Array<{ level: string; fields: Record<string, unknown>; text: string }> } {
  const lines: Array<{ level: string; fields: Record<string, unknown>; text: string }> = [];
  const keep = (level: string) => (fields: unknown, text?: unknown) =>
    void lines.push({ level, fields: (typeof fields === 'object' && fields) as Record<string, unknown>, text: String(text) });
  return { lines, log: keep('log'), warn: keep('warn'), error: keep('error') };
}

/**
 * Replay from Kafka around events ClickHouse refuses (a lone UTF-16 surrogate, written
 * by another producer without Waymark's checks): the shadow tables get everything else,
 * each refused event is reported with ClickHouse's reason and counted, and the
 * dead-letter topic, where the live projector put them, gets nothing more. A replay of
 * one product isolates only the rows in its scope (the rest is copied from the live
 * table, never inserted twice). ClickHouse is a server here (the HTTP front over chDB).
 */
describe('replay from Kafka around events ClickHouse refuses', () => {
  jest.setTimeout(120_000);
  let broker: KafkaTestBroker;
  let server: ClickHouseTestServer;
  let log: KafkaEventLog;
  let clickhouse: ClickHouseClient;
  let projector: Projector;
  let clock = Date.UTC(2026, 10, 7, 9);
  const poison: Record<string, EventEnvelope> = {};

  beforeAll(async () => {
    [broker, server] = await Promise.all([startKafkaBroker({ brokerCount: 1, topics: { [TOPIC]: PARTITIONS, [DLQ]: 1 } }), startClickHouseServer()]);
    log = new KafkaEventLog(kafkaTestOptions(broker.brokers, TOPIC, PARTITIONS), recordingLogger());
    await log.connect();
    clickhouse = createReadModelClient({ kind: 'server', url: server.url });
    await migrateReadModel(clickhouse);
    projector = new Projector(log.openConsumer(GROUP), new EventsProjection(clickhouse), recordingLogger(), {
      group: GROUP,
      maxBatch: 200,
      maxWaitMs: 100,
      retryBaseMs: 10,
      retryMaxMs: 100,
    });
    projector.start();

    const healthy = (product: string) => Array.from({ length: 60 }, (_, i) => sessionStarted(`${product}-user-${i % 6}`, (clock += 1000), { product }));
    await log.append([...healthy('product-a'), ...healthy('product-b')]);
    poison.refusedA = sessionStarted('product-a-\ud800', (clock += 1000), { product: 'product-a' });
    poison.refusedB = sessionStarted('product-b-\udbff', (clock += 1000), { product: 'product-b' });
    poison.ancientA = sessionStarted('product-a-old', clock, { product: 'product-a', occurredAt: '1800-01-01T00:00:00.000Z' });
    const foreign = new Kafka({ clientId: 'foreign-producer', brokers: broker.brokers, logLevel: logLevel.NOTHING }).producer({
      allowAutoTopicCreation: false,
    });
    await foreign.connect();
    await foreign.send({
      topic: TOPIC,
      acks: -1,
      messages: Object.values(poison).map((event) => ({ key: partitionKeyOf(event), value: JSON.stringify(event) })),
    });
    await foreign.disconnect();
    await log.append(healthy('product-a'));

    await waitFor(deadLetters, (letters) => letters.length === 3, 60_000, 200);
    await waitFor(
      () => eventsOf('product-a'),
      (model) => model.unique === 120,
      60_000,
      100,
    );
    await waitFor(
      () => eventsOf('product-b'),
      (model) => model.unique === 60,
      60_000,
      100,
    );
  }, 120_000);

  afterAll(async () => {
    await projector?.stop();
    await log?.close();
    await clickhouse?.close();
    await server?.stop();
    await broker?.stop();
  });

  async function eventsOf(product: string): Promise<{ rows: number; unique: number }> {
    const result = await clickhouse.query({
      query: 'SELECT count() AS rows, uniqExact(event_id) AS unique FROM events WHERE product = {product:String}',
      query_params: { product },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ rows: string; unique: string }>();
    return { rows: Number(row.rows), unique: Number(row.unique) };
  }

  async function deadLetters(): Promise<ScannedRecord[]> {
    const letters: ScannedRecord[] = [];
    await log.scan('dead-letters', { start: { kind: 'beginning' }, follow: false, onRecords: (records) => void letters.push(...records) });
    return letters;
  }

  function replay(logger: LoggerService, progress: KafkaReplayProgress[]): KafkaReplay {
    // One batch holds the whole topic: the refused events share their INSERT with other products' rows.
    return new KafkaReplay(log, clickhouse, new KafkaReplayJournal(clickhouse), logger, {
      batchSize: 1000,
      newId: createUuidV7Generator(),
      now: Date.now,
      projectorGroup: GROUP,
      onProgress: (step) => progress.push(step),
    });
  }

  const reportsOf = (logger: ReturnType<typeof linesLogger>) => logger.lines.filter((line) => line.text.startsWith('replay: event refused by ClickHouse'));

  it('a whole replay writes every other event, reports each refused one with its reason, and dead-letters nothing again', async () => {
    const logger = linesLogger();
    const progress: KafkaReplayProgress[] = [];
    const record = await replay(logger, progress).start({ start: { kind: 'beginning' } });

    expect(record).toMatchObject({ status: 'completed', phase: 'done', processed: 183, replayed: 180, skipped: 3, refused: 2 });
    expect(progress[progress.length - 1]).toMatchObject({ phase: 'done', refused: 2, skipped: 3 });
    expect(kafkaReplayProgress(record, Date.now())).toMatchObject({ refused: 2, skipped: 3 });
    expect(await eventsOf('product-a')).toEqual({ rows: 120, unique: 120 });
    expect(await eventsOf('product-b')).toEqual({ rows: 60, unique: 60 });
    const reports = reportsOf(logger);
    expect(reports).toHaveLength(2);
    for (const line of reports)
      expect(line.fields).toMatchObject({
        id: record.id,
        phase: 'replaying',
        reason: expect.stringMatching(/^refused by ClickHouse: CANNOT_PARSE_ESCAPE_SEQUENCE \(code 25\): /),
      });
    expect((await deadLetters()).length).toBe(3);
  });

  it('a replay of one product isolates only its own rows: the other product is copied once, its refused event not even tried', async () => {
    const logger = linesLogger();
    const progress: KafkaReplayProgress[] = [];
    const record = await replay(logger, progress).start({ start: { kind: 'beginning' }, product: 'product-a' });

    expect(record).toMatchObject({ status: 'completed', replayed: 120, refused: 1 });
    expect(await eventsOf('product-a')).toEqual({ rows: 120, unique: 120 });
    // Copied from the live table, and not inserted by the isolation besides.
    expect(await eventsOf('product-b')).toEqual({ rows: 60, unique: 60 });
    expect(reportsOf(logger)).toHaveLength(1);
    expect((await deadLetters()).length).toBe(3);
  });
});
