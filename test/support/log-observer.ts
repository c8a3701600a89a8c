import Database from 'better-sqlite3';
import { Kafka, logLevel } from 'kafkajs';
import { join } from 'node:path';
import { API_CONFIG } from '../../apps/api/src/config/api-config.provider';
import { ApiConfig } from '../../apps/api/src/config/api.config';
import { RunningApi } from './api-app';

/**
 * Counts what sits in the event log and in the dead letters, read from the outside (the
 * SQLite file, Kafka's offsets) rather than through the app, so a refused request that
 * appended anyway cannot hide behind the app's own view of its log.
 */
export interface LogObserver {
  /** Records in the event log (embedded: rows; distributed: the topic's end offsets). */
  events(): Promise<number>;
  /** Records a consumer set aside as unprocessable. */
  deadLetters(): Promise<number>;
  /** The newest dead letters, reason and record: what a failure report must show. */
  deadLetterSamples(limit: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function observeLog(api: RunningApi): Promise<LogObserver> {
  const config = api.app.get<ApiConfig>(API_CONFIG);
  return config.distributed ? observeKafka(config.distributed.kafka) : observeSqlite(api.dataDir);
}

function observeSqlite(dataDir: string): LogObserver {
  const db = new Database(join(dataDir, 'waymark.db'), { readonly: true });
  const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  return {
    events: async () => count('events'),
    deadLetters: async () => count('dead_letters'),
    deadLetterSamples: async (limit) =>
      (db.prepare('SELECT reason, body FROM dead_letters ORDER BY id DESC LIMIT ?').all(limit) as Array<{ reason: string; body: string }>).map(sample),
    close: async () => {
      db.close();
    },
  };
}

async function observeKafka(kafka: { brokers: string[]; topic: string; deadLetterTopic?: string }): Promise<LogObserver> {
  const client = new Kafka({ clientId: 'fuzz-observer', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  const endOffsets = async (topic: string) => (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
  // The same default as the Kafka event log's options.
  const deadLetterTopic = kafka.deadLetterTopic ?? `${kafka.topic}.dlq`;
  return {
    events: () => endOffsets(kafka.topic),
    deadLetters: () => endOffsets(deadLetterTopic),
    deadLetterSamples: async (limit) => (await readTopic(client, deadLetterTopic, await endOffsets(deadLetterTopic))).slice(-limit).reverse(),
    close: () => admin.disconnect(),
  };
}

/** Reads a topic from its start until `expected` records arrived (or 15 s passed), outside any group the app uses. */
async function readTopic(client: Kafka, topic: string, expected: number): Promise<string[]> {
  const consumer = client.consumer({ groupId: `fuzz-observer-${Date.now()}` });
  const found: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const reason = Object.entries(message.headers ?? {}).find(([name]) => /reason/i.test(name))?.[1];
        found.push(sample({ reason: String(reason ?? '(no reason header)'), body: message.value?.toString() ?? '' }));
      },
    });
    const deadline = Date.now() + 15_000;
    while (found.length < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    await consumer.disconnect();
  }
  return found;
}

function sample(letter: { reason: string; body: string }): string {
  const body = letter.body.length > 400 ? `${letter.body.slice(0, 400)}… (${letter.body.length} characters)` : letter.body;
  return `${letter.reason.slice(0, 300)}\n    record: ${body}`;
}
