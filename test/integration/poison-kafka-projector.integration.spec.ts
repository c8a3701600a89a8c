import { ClickHouseClient } from '@clickhouse/client';
import { partitionKeyOf } from '@waymark/domain';
import { KafkaEventLog, ScannedRecord } from '@waymark/event-log';
import { EventsProjection, Projector } from '@waymark/projection';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { Kafka, logLevel } from 'kafkajs';
import { sessionStarted } from '../support/events';
import { ClickHouseTestServer, startClickHouseServer } from '../support/clickhouse-server';
import { KafkaTestBroker, kafkaTestOptions, recordingLogger, startKafkaBroker } from '../support/kafka-broker';
import { waitFor } from '../support/wait-for';

const TOPIC = 'poison.events';
const DLQ = 'poison.events.dlq';
const options = { group: 'read-model', maxBatch: 200, maxWaitMs: 100, retryBaseMs: 10, retryMaxMs: 100 };

/**
 * Distributed mode: records another producer wrote to the event topic that break the read
 * model's limits, or that ClickHouse refuses, go to the dead-letter topic with their
 * reason, and the stream moves on. ClickHouse is a server here (the HTTP front over
 * chDB), so the refusal is classified from the error the client parses off HTTP.
 */
describe('poison events: Kafka → projector → ClickHouse over HTTP', () => {
  let broker: KafkaTestBroker;
  let server: ClickHouseTestServer;
  let log: KafkaEventLog;
  let clickhouse: ClickHouseClient;

  beforeAll(async () => {
    [broker, server] = await Promise.all([startKafkaBroker({ brokerCount: 1, topics: { [TOPIC]: 3, [DLQ]: 1 } }), startClickHouseServer()]);
    log = new KafkaEventLog(kafkaTestOptions(broker.brokers, TOPIC, 3), recordingLogger());
    await log.connect();
    clickhouse = createReadModelClient({ kind: 'server', url: server.url });
    await migrateReadModel(clickhouse);
  }, 60_000);

  afterAll(async () => {
    await log?.close();
    await clickhouse?.close();
    await server?.stop();
    await broker?.stop();
  });

  async function countRows(prefix: string): Promise<number> {
    const result = await clickhouse.query({
      query: 'SELECT uniqExact(event_id) AS unique FROM events WHERE startsWith(identifier, {prefix:String})',
      query_params: { prefix },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ unique: string }>();
    return Number(row.unique);
  }

  async function deadLetters(): Promise<ScannedRecord[]> {
    const letters: ScannedRecord[] = [];
    await log.scan('dead-letters', { start: { kind: 'beginning' }, follow: false, onRecords: (records) => void letters.push(...records) });
    return letters;
  }

  it('dead-letters foreign records that break the limits or that ClickHouse refuses, and projects everything around them', async () => {
    const projector = new Projector(log.openConsumer(options.group), new EventsProjection(clickhouse), recordingLogger(), options);
    projector.start();
    const t0 = Date.UTC(2026, 10, 26, 9);
    const healthy = Array.from({ length: 90 }, (_, i) => sessionStarted(`kafka-ok-${i % 3}`, t0 + i * 1000));
    await log.append(healthy.slice(0, 30));

    // Another producer, writing to the same topic without Waymark's checks, with the same keys.
    const foreign = new Kafka({ clientId: 'foreign-producer', brokers: broker.brokers, logLevel: logLevel.NOTHING }).producer({
      allowAutoTopicCreation: false,
    });
    await foreign.connect();
    const poison = {
      ancient: sessionStarted('kafka-ok-0', t0, { occurredAt: '1800-01-01T00:00:00.000Z' }),
      control: sessionStarted('kafka-ok-1\u0007', t0),
      deep: sessionStarted('kafka-ok-2', t0, { data: JSON.parse(`${'{"a":'.repeat(40)}{}${'}'.repeat(40)}`) }),
      refused: sessionStarted('kafka-ok-\ud800', t0),
    };
    await foreign.send({
      topic: TOPIC,
      acks: -1,
      messages: Object.values(poison).map((event) => ({ key: partitionKeyOf(event), value: JSON.stringify(event) })),
    });
    await foreign.disconnect();
    await log.append(healthy.slice(30));

    const letters = await waitFor(deadLetters, (found) => found.length === 4, 60_000, 200);
    await waitFor(
      () => countRows('kafka-ok-'),
      (count) => count === 90,
      60_000,
      100,
    );
    await projector.stop();

    const reasonOf = (id: string) => letters.find((letter) => JSON.parse(letter.raw).id === id)?.headers['dead-letter-reason'];
    expect(reasonOf(poison.ancient.id)).toContain('invalid envelope: occurredAt is outside the instants the read model can store');
    expect(reasonOf(poison.control.id)).toBe('invalid envelope: identifier contains a control character');
    expect(reasonOf(poison.deep.id)).toBe('invalid envelope: data nests deeper than 32 levels');
    expect(reasonOf(poison.refused.id)).toMatch(/^refused by ClickHouse: CANNOT_PARSE_ESCAPE_SEQUENCE \(code 25\): /);
    expect(projector.stats).toMatchObject({ projected: 90, deadLettered: 4, refused: 1, failures: 0 });
    expect(await log.describeLag(options.group)).toMatchObject({ total: 0 });
  }, 120_000);
});
