import Database from 'better-sqlite3';
import { Kafka, logLevel } from 'kafkajs';
import { join } from 'node:path';
import { API_CONFIG } from '../../../apps/api/src/config/api-config.provider';
import { ApiConfig } from '../../../apps/api/src/config/api.config';
import { RunningApi } from '../api-app';

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
    close: async () => {
      db.close();
    },
  };
}

async function observeKafka(kafka: { brokers: string[]; topic: string; deadLetterTopic?: string }): Promise<LogObserver> {
  const admin = new Kafka({ clientId: 'fuzz-observer', brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const endOffsets = async (topic: string) => (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
  return {
    events: () => endOffsets(kafka.topic),
    // The same default as the Kafka event log's options.
    deadLetters: () => endOffsets(kafka.deadLetterTopic ?? `${kafka.topic}.dlq`),
    close: () => admin.disconnect(),
  };
}
