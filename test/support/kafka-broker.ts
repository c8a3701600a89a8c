import { LoggerService } from '@nestjs/common';
import { EventLogConsumer, KafkaEventLogOptions, LoggedRecord } from '@waymark/event-log';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readFirstLine, stopProcess } from './service-process';

const TOOL_DIR = join(__dirname, '../../tools/kafka-mock-broker');
const SOURCE = join(TOOL_DIR, 'mock-broker.c');
const BINARY = join(TOOL_DIR, 'bin/mock-broker');

export interface KafkaTestBroker {
  /** `host:port` of every mock broker, for the `brokers` option of a Kafka client. */
  brokers: string[];
  stop: () => Promise<void>;
}

export interface KafkaTestBrokerOptions {
  /** Number of brokers in the mock cluster (partition leaders are spread over them). */
  brokerCount?: number;
  /** Topics to create, name → partition count: the mock cannot serve CreateTopics. */
  topics: Record<string, number>;
  startTimeoutMs?: number;
}

/**
 * Starts a private Kafka mock cluster (librdkafka's, see tools/kafka-mock-broker) for one
 * test file, compiling it first when the binary is missing or older than its source.
 * A machine without librdkafka-dev or a C compiler fails here with the install command:
 * the Kafka tests never skip themselves.
 */
export async function startKafkaBroker(options: KafkaTestBrokerOptions): Promise<KafkaTestBroker> {
  buildWhenStale();
  const args = [String(options.brokerCount ?? 3), ...Object.entries(options.topics).map(([name, partitions]) => `${name}:${partitions}`)];
  const child = spawn(BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const { line: bootstrap } = await readFirstLine(child, 'Kafka mock broker', options.startTimeoutMs ?? 10_000);
  return {
    brokers: bootstrap.split(','),
    stop: async () => void (await stopProcess(child)),
  };
}

function buildWhenStale(): void {
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= statSync(SOURCE).mtimeMs) return;
  try {
    execFileSync('bash', [join(TOOL_DIR, 'build.sh'), BINARY], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? String(error);
    throw new Error(
      `Cannot build the Kafka mock broker (tools/kafka-mock-broker/build.sh): ${stderr}\n` +
        'The Kafka integration tests need librdkafka-dev and a C compiler: apt-get install -y librdkafka-dev build-essential (.ci/run does this).',
      { cause: error },
    );
  }
}

/** Settings for a KafkaEventLog against the mock broker: no idempotence (no controller), short waits. */
export function kafkaTestOptions(brokers: string[], topic: string, partitions: number): KafkaEventLogOptions {
  return {
    brokers,
    clientId: 'waymark-test',
    topic,
    partitions,
    idempotent: false,
    lingerMs: 2,
    // The mock holds a group that lost a member for a session timeout before it lets the
    // next member in: short timeouts keep the tests quick.
    consumer: { sessionTimeoutMs: 3000, rebalanceTimeoutMs: 3000, heartbeatIntervalMs: 200, fetchMaxWaitMs: 100 },
  };
}

/** A logger that keeps warnings and errors for assertions and prints nothing. */
export function recordingLogger(): LoggerService & { warnings: string[]; errors: string[] } {
  const warnings: string[] = [];
  const errors: string[] = [];
  const text = (args: unknown[]) => args.filter((arg) => typeof arg === 'string').join(' ');
  return {
    warnings,
    errors,
    log: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
    warn: (...args: unknown[]) => void warnings.push(text(args)),
    error: (...args: unknown[]) => void errors.push(text(args)),
  };
}

/**
 * Reads batches until `done` says so (or the time is up), committing each batch unless
 * told not to; returns the records in the order they were handed out.
 */
export async function consumeUntil(
  consumer: EventLogConsumer,
  done: (records: LoggedRecord[]) => boolean,
  { maxRecords = 100, timeoutMs = 30_000, commit = true }: { maxRecords?: number; timeoutMs?: number; commit?: boolean } = {},
): Promise<LoggedRecord[]> {
  const records: LoggedRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!done(records)) {
    if (Date.now() > deadline) throw new Error(`consumer did not finish within ${timeoutMs} ms; ${records.length} records so far`);
    const batch = await consumer.nextBatch(maxRecords, 200);
    records.push(...batch.records);
    if (commit) await batch.commit();
  }
  return records;
}
