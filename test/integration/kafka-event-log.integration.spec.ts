import { EventEnvelope, checkEnvelope, partitionKeyOf } from '@waymark/domain';
import { KafkaEventLog, LoggedRecord } from '@waymark/event-log';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaTestBroker, consumeUntil, kafkaTestOptions, recordingLogger, startKafkaBroker } from '../support/kafka-broker';
import { sessionStarted } from '../support/events';

const TOPICS = {
  'backlog.events': 2,
  'backlog.events.dlq': 1,
  'order.events': 6,
  'order.events.dlq': 1,
  'coalesce.events': 6,
  'coalesce.events.dlq': 1,
  'poison.events': 3,
  'poison.events.dlq': 2,
};

/**
 * KafkaEventLog against a real Kafka protocol broker (librdkafka's mock cluster, three
 * brokers, partition leaders spread over them). kafkajs appears here only as an outside
 * observer: watermarks and the dead-letter topic's headers.
 */
describe('KafkaEventLog on the Kafka mock broker', () => {
  let broker: KafkaTestBroker;
  let observer: Kafka;
  const logs: KafkaEventLog[] = [];

  beforeAll(async () => {
    broker = await startKafkaBroker({ brokerCount: 3, topics: TOPICS });
    observer = new Kafka({ clientId: 'observer', brokers: broker.brokers, logLevel: logLevel.NOTHING });
  });

  afterAll(async () => {
    await Promise.all(logs.map((log) => log.close()));
    await broker?.stop();
  });

  function openLog(topic: string, partitions: number, overrides: Partial<ReturnType<typeof kafkaTestOptions>> = {}): KafkaEventLog {
    const log = new KafkaEventLog({ ...kafkaTestOptions(broker.brokers, topic, partitions), ...overrides }, recordingLogger());
    logs.push(log);
    return log;
  }

  async function highWatermarkTotal(topic: string): Promise<number> {
    const admin = observer.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
    } finally {
      await admin.disconnect();
    }
  }

  const envelopeOf = (record: LoggedRecord) => JSON.parse(record.raw) as EventEnvelope;

  it('refuses to start when the topic does not have the configured partition count', async () => {
    const log = openLog('order.events', 4);
    await expect(log.connect()).rejects.toThrow('Kafka topic "order.events" has 6 partitions but kafka.partitions is 4');
  });

  it('keeps each key in one partition and in append order through the round trip', async () => {
    const log = openLog('order.events', 6);
    const t0 = Date.UTC(2026, 10, 26);
    const identifiers = Array.from({ length: 12 }, (_, i) => `user-${i}`);
    // 480 events, 5 per append, interleaving users; all appends in flight at once.
    const appended: EventEnvelope[] = [];
    const appends: Array<Promise<void>> = [];
    for (let round = 0; round < 8; round += 1) {
      for (let chunk = 0; chunk < 12; chunk += 1) {
        const events = Array.from({ length: 5 }, (_, i) => sessionStarted(identifiers[(chunk + i) % 12], t0 + round * 100 + i));
        appended.push(...events);
        appends.push(log.append(events));
      }
    }
    await Promise.all(appends);
    // Resolved means acknowledged: the broker holds every event now.
    expect(await highWatermarkTotal('order.events')).toBe(480);

    const consumer = log.openConsumer('order-check');
    const records = await consumeUntil(consumer, (r) => r.length >= 480);
    await consumer.close();

    expect(records).toHaveLength(480);
    const partitionsByUser = new Map<string, Set<string>>();
    const idsByUser = new Map<string, string[]>();
    for (const record of records) {
      expect(record.position).toMatch(/^\d+:\d+$/);
      const event = envelopeOf(record);
      partitionsByUser.set(event.identifier, (partitionsByUser.get(event.identifier) ?? new Set()).add(record.position.split(':')[0]));
      idsByUser.set(event.identifier, [...(idsByUser.get(event.identifier) ?? []), event.id]);
    }
    for (const identifier of identifiers) {
      expect(partitionsByUser.get(identifier)?.size).toBe(1);
      expect(idsByUser.get(identifier)).toEqual(appended.filter((e) => e.identifier === identifier).map((e) => e.id));
    }
    // The keys really spread: several partitions, on several brokers.
    const partitionsUsed = new Set(records.map((r) => r.position.split(':')[0]));
    expect(partitionsUsed.size).toBeGreaterThanOrEqual(4);
  });

  it('coalesces concurrent appends into far fewer produce requests', async () => {
    const log = openLog('coalesce.events', 6, { lingerMs: 5 });
    await log.connect();
    const before = log.stats();
    // 300 single-event appends, ten per event-loop turn, as concurrent requests would make them.
    const appends: Array<Promise<void>> = [];
    for (let i = 0; i < 300; i += 1) {
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
      appends.push(log.append([sessionStarted(`c-${i % 40}`, Date.UTC(2026, 10, 26) + i)]));
    }
    await Promise.all(appends);
    const after = log.stats();

    expect(after.appends - before.appends).toBe(300);
    expect(after.events - before.events).toBe(300);
    // One produce call carries many appends; on the wire it is one request per partition leader.
    expect(after.sends - before.sends).toBeLessThanOrEqual(10);
    expect(after.produceRequests - before.produceRequests).toBeLessThan(30);
    expect(await highWatermarkTotal('coalesce.events')).toBe(300);
  });

  it('says a batch caught up only when nothing is left behind it: not while records are held or the broker has more', async () => {
    const log = openLog('backlog.events', 2);
    // Five produce requests for one key, one after the other: five record batches on one
    // partition. The mock broker returns one record batch per partition per fetch, so
    // every fetch but the last leaves the partition behind its high watermark.
    const t0 = Date.UTC(2026, 10, 26);
    for (let request = 0; request < 5; request += 1) {
      await log.append(Array.from({ length: 20 }, (_, i) => sessionStarted('backlog-user', t0 + request * 100 + i)));
    }
    const consumer = log.openConsumer('backlog-check');
    const seen: Array<{ size: number; caughtUp: boolean | undefined; total: number }> = [];
    let total = 0;
    const deadline = Date.now() + 30_000;
    while (total < 100 && Date.now() < deadline) {
      // 15 at a time: fewer than a fetch holds, so some batches leave held records behind.
      const batch = await consumer.nextBatch(15, 200);
      if (batch.records.length === 0) continue;
      total += batch.records.length;
      seen.push({ size: batch.records.length, caughtUp: batch.caughtUp, total });
      await batch.commit();
    }
    await consumer.close();

    expect(total).toBe(100);
    // Every batch is smaller than asked for or equal to it; only the one that ends the
    // backlog says it caught up (a smaller-than-asked batch alone would have said so).
    for (const batch of seen) expect(batch.caughtUp).toBe(batch.total === 100);
    expect(seen[seen.length - 1].caughtUp).toBe(true);
    expect(seen.filter((batch) => batch.size < 15 && !batch.caughtUp).length).toBeGreaterThan(0);
  });

  it('sends a malformed record to the dead-letter topic with its reason, key and source, and carries on', async () => {
    const log = openLog('poison.events', 3);
    const key = { product: 'my-product-tag', env: 'snd', identifier: 'poisoned' };
    const before = sessionStarted('poisoned', Date.UTC(2026, 10, 26, 1));
    const after = sessionStarted('poisoned', Date.UTC(2026, 10, 26, 2));
    await log.append([before]);
    const rawProducer = observer.producer({ allowAutoTopicCreation: false });
    await rawProducer.connect();
    await rawProducer.send({ topic: 'poison.events', acks: -1, messages: [{ key: partitionKeyOf(key), value: '{"not":"an envelope"' }] });
    await rawProducer.disconnect();
    await log.append([after]);

    const consumer = log.openConsumer('poison-check');
    const projected: string[] = [];
    const letters: Array<{ position: string; reason: string }> = [];
    const deadline = Date.now() + 20_000;
    while (projected.length < 2 && Date.now() < deadline) {
      const batch = await consumer.nextBatch(100, 200);
      const bad = [];
      for (const record of batch.records) {
        const check = checkEnvelope(record.raw);
        if (check.ok) projected.push(check.event.id);
        else bad.push({ record, reason: check.reason });
      }
      await consumer.deadLetter(bad);
      letters.push(...bad.map(({ record, reason }) => ({ position: record.position, reason })));
      await batch.commit();
    }
    await consumer.close();

    expect(projected).toEqual([before.id, after.id]);
    expect(letters).toHaveLength(1);
    expect(letters[0].reason).toBe('malformed JSON');

    const dlq = await readAll('poison.events.dlq', 1);
    expect(dlq).toHaveLength(1);
    expect(dlq[0].value).toBe('{"not":"an envelope"');
    expect(dlq[0].key).toBe(partitionKeyOf(key));
    expect(dlq[0].headers['dead-letter-reason']).toBe('malformed JSON');
    expect(dlq[0].headers['dead-letter-group']).toBe('poison-check');
    expect(dlq[0].headers['dead-letter-source']).toBe(`poison.events:${letters[0].position}`);
  });

  /** Every record of a topic, read by a plain kafkajs consumer. */
  async function readAll(topic: string, expected: number) {
    const consumer = observer.consumer({ groupId: `observer-${topic}`, maxWaitTimeInMs: 100 });
    const seen: Array<{ key: string; value: string; headers: Record<string, string> }> = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
        seen.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', headers });
      },
    });
    const deadline = Date.now() + 20_000;
    while (seen.length < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await consumer.disconnect();
    return seen;
  }
});
