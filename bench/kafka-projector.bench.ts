import { KafkaEventLog } from '@waymark/event-log';
import { Kafka, logLevel } from 'kafkajs';
import { join } from 'node:path';
import { recordingLogger, startKafkaBroker } from '../test/support/kafka-broker';
import { Benchmark, BenchmarkContext, BenchmarkRun, atLeast, fmt } from './support/benchmark';
import { profileRequest, summariseProfile } from './support/profiles';
import { appendSyntheticLog } from './support/synthetic-events';
import { ProfileRequest, startTsProcess } from './support/ts-process';
import { DrainResult } from './projector.bench';

const TARGET_RATE = 100_000;
const TOPIC = 'bench.events';
/**
 * librdkafka's mock keeps at most 5 MiB (or 100,000 record batches) per partition and
 * silently drops the oldest beyond that. 200,000 synthetic events are about 180 MiB, so
 * they need at least 36 partitions to all still be there when the drain starts; 64
 * leaves room. (With 4 partitions the drain saw only the last 24,102 events and the run
 * looked like a consumer stall.)
 */
const PARTITIONS = 64;
const MOCK_PARTITION_BYTES = 5 * 1024 * 1024;
const USERS = 100_000;
/**
 * Events per produce request: the API producer's default (1,000) unless
 * BENCH_KAFKA_PRODUCE_RECORDS says otherwise. It matters on the mock only: librdkafka's
 * mock answers a fetch with one record batch per partition, i.e. one produce request's
 * share of that partition, so it sets how many events one fetch (and so one projector
 * batch) can hold. A real broker returns up to the fetch's byte limits, whatever the
 * producer's batches were.
 */
const PRODUCE_RECORDS = Number(process.env.BENCH_KAFKA_PRODUCE_RECORDS ?? 1000);

/** The Kafka drain appends through KafkaEventLog itself and reports no append time. */
type Drained = Omit<DrainResult, 'appendMs'>;

interface KafkaDrained extends Drained {
  joinMs: number;
  lagAfter: number;
}

/** Records still in the topic (high - low per partition): what the mock did not drop. */
async function retainedRecords(brokers: string[]): Promise<number> {
  const admin = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(TOPIC);
    return offsets.reduce((sum, entry) => sum + Number(entry.high) - Number(entry.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Runs a drain process to its result, relaying its progress. */
async function drain<T extends Drained>(
  context: BenchmarkContext,
  entry: string,
  env: Record<string, string>,
  label: string,
  profile?: ProfileRequest,
): Promise<T> {
  const child = startTsProcess(join(__dirname, entry), { env, profile });
  child.onMessage((message) => {
    if (message.type === 'progress')
      context.progress.update(`${label}: ${String(message.phase)} ${fmt.int(Number(message.done))} / ${fmt.int(Number(message.total))} events`);
  });
  const result = await child.waitFor<T>('result', 30 * 60_000);
  const code = await child.stop();
  context.progress.clear();
  if (code !== 0) throw new Error(`the ${label} process exited with ${code}\n${child.log}`);
  return result;
}

function drainFailures(mode: string, result: Drained): string[] {
  const failures: string[] = [];
  if (result.stats.failures > 0) failures.push(`${mode}: ${result.stats.failures} failed inserts (retried)`);
  if (result.stats.deadLettered > 0) failures.push(`${mode}: ${result.stats.deadLettered} events dead-lettered`);
  if (result.unique !== result.total) failures.push(`${mode}: ClickHouse holds ${result.unique} unique events for ${result.total}`);
  return failures;
}

/**
 * Events/s from a Kafka topic into chDB through the real projector consumer: the runner
 * produces N synthetic session starts through KafkaEventLog.append (the API's producer:
 * batcher, acks=-1) into librdkafka's mock broker, then a process of its own drains them
 * with a Projector on a KafkaEventLog consumer. In the same run, the embedded projector
 * (bench/processes/projector-drain.ts: SQLite log → chDB) drains as many events, so the
 * two rates sit side by side under the same machine load.
 */
export const kafkaProjectorBenchmark: Benchmark = {
  name: 'kafka-projector',
  title: 'Projector: Kafka topic → chDB, beside SQLite log → chDB',
  layout: `runner produces into the mock broker (1 broker, ${PARTITIONS} partitions: the mock keeps 5 MiB per partition) and checks every event is still there; the Kafka projector in its own process (KafkaEventLogConsumer, one group member, chDB in process); then the embedded projector drain in its own process`,
  async run(context): Promise<BenchmarkRun> {
    const total = context.quick ? 20_000 : 200_000;
    if (!Number.isInteger(PRODUCE_RECORDS) || PRODUCE_RECORDS < 1)
      throw new Error(`BENCH_KAFKA_PRODUCE_RECORDS must be a whole number >= 1, got ${process.env.BENCH_KAFKA_PRODUCE_RECORDS}`);
    const profile = profileRequest(context, 'kafka-projector');
    const broker = await startKafkaBroker({ brokerCount: 1, topics: { [TOPIC]: PARTITIONS, [`${TOPIC}.dlq`]: 1 } });
    let produceMs: number;
    let kafka: KafkaDrained;
    try {
      // ~900 bytes per event; the byte bound must not cut requests shorter than the record bound.
      const producer = { maxBatchRecords: PRODUCE_RECORDS, maxBatchBytes: Math.max(900_000, PRODUCE_RECORDS * 1000) };
      const log = new KafkaEventLog({ brokers: broker.brokers, topic: TOPIC, partitions: PARTITIONS, idempotent: false, ...producer }, recordingLogger());
      try {
        produceMs = await appendSyntheticLog(log, total, USERS, (done) =>
          context.progress.update(`kafka-projector: produce ${fmt.int(done)} / ${fmt.int(total)} events`),
        );
      } finally {
        await log.close();
      }
      const retained = await retainedRecords(broker.brokers);
      if (retained !== total) {
        throw new Error(
          `the mock broker holds ${retained} of the ${total} events produced: it keeps ${MOCK_PARTITION_BYTES / 1024 / 1024} MiB per partition and dropped the rest; use more partitions or fewer events`,
        );
      }
      kafka = await drain<KafkaDrained>(
        context,
        'processes/kafka-projector-drain.ts',
        {
          BENCH_EVENTS: String(total),
          BENCH_DATA_DIR: join(context.workDir, 'kafka'),
          BENCH_BROKERS: broker.brokers.join(','),
          BENCH_TOPIC: TOPIC,
          BENCH_PARTITIONS: String(PARTITIONS),
        },
        'kafka projector',
        profile,
      );
    } finally {
      await broker.stop();
    }
    const embedded = await drain<Drained>(
      context,
      'processes/projector-drain.ts',
      { BENCH_EVENTS: String(total), BENCH_DATA_DIR: join(context.workDir, 'embedded') },
      'embedded projector',
    );

    const failures = [...drainFailures('kafka', kafka), ...drainFailures('embedded', embedded)];
    if (kafka.lagAfter !== 0) failures.push(`kafka: the group still lags ${kafka.lagAfter} records after the drain`);
    const rate = (result: Drained) => (result.total * 1000) / result.projectMs;
    const cpu = (result: Drained) => `${((result.cpuMs * 1000) / result.total).toFixed(1)} µs / ${(result.cpuMs / result.projectMs).toFixed(2)}`;
    return {
      figures: [
        { label: 'kafka: projected events/s', value: fmt.perSecond(rate(kafka)) },
        { label: 'kafka: events / batches (max batch)', value: `${fmt.int(kafka.total)} / ${fmt.int(kafka.stats.batches)} (${fmt.int(kafka.batchSize)})` },
        {
          label: 'kafka: drain time (after the group join, which took)',
          value: `${(kafka.projectMs / 1000).toFixed(2)} s (${(kafka.joinMs / 1000).toFixed(1)} s)`,
        },
        { label: 'kafka: process CPU per event / cores busy', value: cpu(kafka) },
        { label: 'kafka: produce rate (KafkaEventLog.append, groups of 10,000, acks=-1)', value: fmt.perSecond((total * 1000) / produceMs) },
        { label: 'kafka: events per produce request (the mock returns one per partition per fetch)', value: fmt.int(PRODUCE_RECORDS) },
        { label: 'kafka: rows in ClickHouse (unique) / lag after', value: `${fmt.int(kafka.rows)} (${fmt.int(kafka.unique)}) / ${kafka.lagAfter}` },
        { label: 'embedded: projected events/s', value: fmt.perSecond(rate(embedded)) },
        {
          label: 'embedded: events / batches (max batch)',
          value: `${fmt.int(embedded.total)} / ${fmt.int(embedded.stats.batches)} (${fmt.int(embedded.batchSize)})`,
        },
        { label: 'embedded: process CPU per event / cores busy', value: cpu(embedded) },
        { label: 'kafka / embedded events/s', value: fmt.ratio(rate(kafka) / rate(embedded)) },
      ],
      verdicts: [atLeast(`kafka ≥ ${fmt.int(TARGET_RATE)} events/s`, rate(kafka), TARGET_RATE, fmt.perSecond)],
      failures,
      profile: profile && summariseProfile(context, profile, kafka.window),
    };
  },
};
