import { EventBatch, KafkaEventLog, KafkaEventLogConsumer, LoggedRecord } from '@waymark/event-log';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaTestBroker, consumeUntil, kafkaTestOptions, recordingLogger, startKafkaBroker } from '../support/kafka-broker';
import { sessionStarted } from '../support/events';
import { waitFor } from '../support/wait-for';

const TOPICS = {
  'resume.events': 3,
  'resume.events.dlq': 1,
  'redeliver.events': 3,
  'redeliver.events.dlq': 1,
  'share.events': 6,
  'share.events.dlq': 1,
  'rebalance.events': 2,
  'rebalance.events.dlq': 1,
  'span.events': 6,
  'span.events.dlq': 1,
};

/** Consumer-group semantics of KafkaEventLog's consumer on the Kafka mock broker. */
describe('KafkaEventLog consumers in a group', () => {
  let broker: KafkaTestBroker;
  const logs: KafkaEventLog[] = [];
  const consumers: KafkaEventLogConsumer[] = [];

  beforeAll(async () => {
    broker = await startKafkaBroker({ brokerCount: 3, topics: TOPICS });
  });

  afterAll(async () => {
    await Promise.all(consumers.map((consumer) => consumer.close()));
    await Promise.all(logs.map((log) => log.close()));
    await broker?.stop();
  });

  function openLog(topic: string, partitions: number, logger = recordingLogger()): KafkaEventLog {
    const log = new KafkaEventLog(kafkaTestOptions(broker.brokers, topic, partitions), logger);
    logs.push(log);
    return log;
  }

  function open(log: KafkaEventLog, group: string): KafkaEventLogConsumer {
    const consumer = log.openConsumer(group);
    consumers.push(consumer);
    return consumer;
  }

  async function appendEvents(log: KafkaEventLog, count: number, prefix: string): Promise<string[]> {
    const events = Array.from({ length: count }, (_, i) => sessionStarted(`${prefix}-${i % 7}`, Date.UTC(2026, 10, 26) + i));
    await log.append(events);
    return events.map((event) => event.id);
  }

  async function nextNonEmpty(consumer: KafkaEventLogConsumer, maxRecords: number): Promise<EventBatch> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const batch = await consumer.nextBatch(maxRecords, 200);
      if (batch.records.length > 0) return batch;
    }
    throw new Error('no records within 20 s');
  }

  const idOf = (record: LoggedRecord) => (JSON.parse(record.raw) as { id: string }).id;
  const partitionOf = (record: LoggedRecord) => Number(record.position.split(':')[0]);
  const offsetOf = (record: LoggedRecord) => Number(record.position.split(':')[1]);

  /** Each partition's records of a batch, which must be contiguous and in offset order. */
  function rangesOf(records: readonly LoggedRecord[]): Map<number, number[]> {
    const ranges = new Map<number, number[]>();
    for (const record of records) ranges.set(partitionOf(record), [...(ranges.get(partitionOf(record)) ?? []), offsetOf(record)]);
    for (const offsets of ranges.values()) expect(offsets).toEqual(Array.from({ length: offsets.length }, (_, i) => offsets[0] + i));
    return ranges;
  }

  it('hands out at most maxRecords, each partition contiguous; after a commit the next member of the group starts right after it', async () => {
    const log = openLog('resume.events', 3);
    const ids = await appendEvents(log, 60, 'resume');

    const first = open(log, 'resume');
    const batch = await nextNonEmpty(first, 10);
    expect(batch.records).toHaveLength(10);
    rangesOf(batch.records);
    await batch.commit();
    await first.close();

    const second = open(log, 'resume');
    const rest = await consumeUntil(second, (records) => records.length >= 50);
    const extra = await second.nextBatch(100, 500);
    await second.close();

    expect(extra.records).toEqual([]);
    expect(rest).toHaveLength(50);
    const handed = [...batch.records, ...rest];
    expect(new Set(handed.map((record) => record.position)).size).toBe(60);
    expect(handed.map(idOf).sort()).toEqual([...ids].sort());
  }, 60_000);

  it('gathers several partitions into one batch named by every range, and commits them all', async () => {
    const log = openLog('span.events', 6);
    const ids = await appendEvents(log, 120, 'span');
    const consumer = open(log, 'span');
    // The partitions' leaders sit on three brokers, fetched independently: ask again
    // (without committing, so the same records come back) until every fetch is held.
    const batch = await waitFor(
      () => nextNonEmpty(consumer, 1000),
      (b) => b.records.length === 120,
      30_000,
    );

    const ranges = rangesOf(batch.records);
    expect(ranges.size).toBeGreaterThan(1);
    const expectedKey = [...ranges.entries()]
      .sort(([a], [b]) => a - b)
      .map(([partition, offsets]) => `${partition}:${offsets[0]}-${offsets[offsets.length - 1]}`)
      .join(',');
    // Each range also carries its first record's fingerprint (offsets repeat in a re-created topic).
    expect(batch.dedupKey.replace(/~[0-9a-f]{12}/g, '')).toBe(expectedKey);
    expect(batch.dedupKey.split(',').every((range) => /^\d+:\d+-\d+~[0-9a-f]{12}$/.test(range))).toBe(true);
    expect(batch.records.map(idOf).sort()).toEqual([...ids].sort());

    await batch.commit();
    const observer = new Kafka({ clientId: 'observer', brokers: broker.brokers, logLevel: logLevel.NOTHING }).admin();
    await observer.connect();
    const [committed] = await observer.fetchOffsets({ groupId: 'span', topics: ['span.events'] });
    await observer.disconnect();
    for (const [partition, offsets] of ranges) {
      expect(committed.partitions.find((p) => p.partition === partition)?.offset).toBe(String(offsets[offsets.length - 1] + 1));
    }
    // Committed and resolved: nothing comes again.
    expect((await consumer.nextBatch(1000, 500)).records).toEqual([]);
  }, 60_000);

  it('delivers a batch again to the next member when it was never committed (at least once)', async () => {
    const log = openLog('redeliver.events', 3);
    const ids = await appendEvents(log, 60, 'redeliver');

    const first = open(log, 'redeliver');
    const uncommitted = await nextNonEmpty(first, 10);
    // Asking again without a commit hands out the same records, as the SQLite consumer does.
    const again = await first.nextBatch(10, 0);
    expect(again.records).toEqual(uncommitted.records);
    await first.close();

    const second = open(log, 'redeliver');
    const all = await consumeUntil(second, (records) => records.length >= 60);
    await second.close();

    expect(all).toHaveLength(60);
    expect(all.map(idOf).sort()).toEqual([...ids].sort());
    const positions = new Set(all.map((record) => record.position));
    for (const record of uncommitted.records) expect(positions.has(record.position)).toBe(true);
  }, 60_000);

  it('lets two members share the partitions; together they see every event exactly once', async () => {
    const log = openLog('share.events', 6);
    const a = open(log, 'share');
    const b = open(log, 'share');
    // Both join, then the group settles on two disjoint halves of the six partitions.
    await waitFor(
      async () => {
        await Promise.all([a.nextBatch(100, 50), b.nextBatch(100, 50)]);
        return { a: a.assignment(), b: b.assignment() };
      },
      ({ a: pa, b: pb }) => pa.length > 0 && pb.length > 0 && new Set([...pa, ...pb]).size === 6 && pa.length + pb.length === 6,
      30_000,
    );

    const ids = await appendEvents(log, 300, 'share');
    const seen = { a: [] as LoggedRecord[], b: [] as LoggedRecord[] };
    const total = () => seen.a.length + seen.b.length;
    const run = async (consumer: KafkaEventLogConsumer, into: LoggedRecord[]) => {
      const deadline = Date.now() + 30_000;
      while (total() < 300 && Date.now() < deadline) {
        const batch = await consumer.nextBatch(50, 100);
        into.push(...batch.records);
        await batch.commit();
      }
    };
    await Promise.all([run(a, seen.a), run(b, seen.b)]);
    // Nothing comes a second time.
    const [lateA, lateB] = await Promise.all([a.nextBatch(100, 500), b.nextBatch(100, 500)]);

    expect(lateA.records).toEqual([]);
    expect(lateB.records).toEqual([]);
    expect(seen.a.length).toBeGreaterThan(0);
    expect(seen.b.length).toBeGreaterThan(0);
    expect(total()).toBe(300);
    expect([...seen.a, ...seen.b].map(idOf).sort()).toEqual([...ids].sort());
    for (const record of seen.a) expect(a.assignment()).toContain(partitionOf(record));
    for (const record of seen.b) expect(b.assignment()).toContain(partitionOf(record));
  }, 90_000);

  it('does not commit a batch given up in a rebalance; its records go to the partition’s owner again', async () => {
    const logger = recordingLogger();
    const log = openLog('rebalance.events', 2, logger);
    await appendEvents(log, 40, 'rebalance');

    const a = open(log, 'rebalance');
    const held = await nextNonEmpty(a, 100);
    const heldPartition = partitionOf(held.records[0]);
    // A second member joins while `a` holds its batch.
    const b = open(log, 'rebalance');
    const fromB: LoggedRecord[] = [];
    const settled = waitFor(
      async () => {
        fromB.push(...(await b.nextBatch(100, 50)).records);
        return { a: a.assignment(), b: b.assignment() };
      },
      ({ a: pa, b: pb }) => pa.length === 1 && pb.length === 1 && pa[0] !== pb[0],
      30_000,
    );
    await settled;

    await held.commit();
    expect(logger.warnings.some((line) => line.includes('kafka batch not committed'))).toBe(true);
    const observer = new Kafka({ clientId: 'observer', brokers: broker.brokers, logLevel: logLevel.NOTHING }).admin();
    await observer.connect();
    const [committed] = await observer.fetchOffsets({ groupId: 'rebalance', topics: ['rebalance.events'] });
    const heldOffset = committed.partitions.find((p) => p.partition === heldPartition)?.offset;
    expect(heldOffset === undefined || Number(heldOffset) <= offsetOf(held.records[0])).toBe(true);
    await observer.disconnect();

    // Whoever owns the held partition now is handed its records again, from the same offset.
    const heldThere = held.records.filter((record) => partitionOf(record) === heldPartition);
    const owner = a.assignment().includes(heldPartition) ? a : b;
    const redelivered = await consumeUntil(owner, (records) => heldThere.every((r) => records.some((x) => x.position === r.position)));
    const redeliveredThere = redelivered.filter((record) => partitionOf(record) === heldPartition);
    expect(redeliveredThere.slice(0, heldThere.length).map((r) => r.position)).toEqual(heldThere.map((r) => r.position));
  }, 90_000);
});
