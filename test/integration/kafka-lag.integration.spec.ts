import { EventBatch, KafkaEventLog, KafkaEventLogConsumer } from '@waymark/event-log';
import { KafkaTestBroker, kafkaTestOptions, recordingLogger, startKafkaBroker } from '../support/kafka-broker';
import { sessionStarted } from '../support/events';

/** describeLag on Kafka: committed offsets (OffsetFetch) against high watermarks (ListOffsets). */
describe('KafkaEventLog lag', () => {
  let broker: KafkaTestBroker;
  let log: KafkaEventLog;
  let consumer: KafkaEventLogConsumer | undefined;

  beforeAll(async () => {
    broker = await startKafkaBroker({ brokerCount: 1, topics: { 'lag.events': 2, 'lag.events.dlq': 1 } });
    log = new KafkaEventLog(kafkaTestOptions(broker.brokers, 'lag.events', 2), recordingLogger());
  });

  afterAll(async () => {
    await consumer?.close();
    await log?.close();
    await broker?.stop();
  });

  it('counts every event as lag for a group that never committed, and less after a commit', async () => {
    await log.append(Array.from({ length: 40 }, (_, i) => sessionStarted(`lag-${i % 5}`, Date.UTC(2026, 10, 26) + i)));
    const before = await log.describeLag('lag-group');
    expect(before.total).toBe(40);
    expect(before.partitions.map((partition) => partition.partition)).toEqual(['0', '1']);
    expect(before.partitions.reduce((sum, partition) => sum + Number(partition.head), 0)).toBe(40);

    consumer = log.openConsumer('lag-group');
    let batch: EventBatch = await consumer.nextBatch(100, 200);
    const deadline = Date.now() + 20_000;
    while (batch.records.length === 0 && Date.now() < deadline) batch = await consumer.nextBatch(100, 200);
    await batch.commit();

    const after = await log.describeLag('lag-group');
    expect(after.total).toBe(40 - batch.records.length);
  });
});
