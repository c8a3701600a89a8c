import { LoggerService } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { LoggedRecord } from '../event-log.port';
import { KafkaEventLogOptions, resolveKafkaEventLogOptions } from './kafka-event-log.options';
import { kafkajsLogCreator } from './kafkajs-log-bridge';
import { KafkaTopicScanner } from './kafka-topic-scanner';

export interface KafkaScanReport {
  /** Records handed to `onRecords`. */
  records: number;
  /** Records in the topic when the scan started (sum over partitions of high - low). */
  expected: number;
}

/**
 * Reads the whole event topic, from each partition's first offset to the head it had
 * when the scan started (a KafkaTopicScanner snapshot: no group's offsets move), for a
 * caller that holds only the settings (`waymark rebuild-redis`). One user's events share
 * a partition, so folding a user's sessions sees them in log order. `onRecords` is
 * awaited before the next batch: it is the back-pressure. After `timeoutMs` the scan
 * stops and the report says how far it got (`records < expected`).
 */
export async function scanKafkaLog(
  options: KafkaEventLogOptions,
  logger: LoggerService,
  onRecords: (records: LoggedRecord[]) => Promise<void> | void,
  timeoutMs = 10 * 60_000,
): Promise<KafkaScanReport> {
  const resolved = resolveKafkaEventLogOptions(options);
  const kafka = new Kafka({ clientId: resolved.clientId, brokers: resolved.brokers, logLevel: logLevel.WARN, logCreator: kafkajsLogCreator(logger) });
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), timeoutMs);
  try {
    const summary = await new KafkaTopicScanner(kafka, logger, resolved.consumer).scan(resolved.topic, {
      start: { kind: 'beginning' },
      follow: false,
      signal: stop.signal,
      onRecords: (records) => onRecords(records.map((record) => ({ position: record.position, raw: record.raw }))),
    });
    return { records: summary.records, expected: summary.planned };
  } finally {
    clearTimeout(timer);
  }
}
