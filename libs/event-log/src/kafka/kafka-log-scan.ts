import { LoggerService } from '@nestjs/common';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { LoggedRecord } from '../event-log.port';
import { KafkaEventLogOptions, resolveKafkaEventLogOptions } from './kafka-event-log.options';
import { kafkajsLogCreator } from './kafkajs-log-bridge';
import { formatPosition } from './kafka-records';

export interface KafkaScanReport {
  /** Records handed to `onRecords`. */
  records: number;
  /** Records in the topic when the scan started (sum over partitions of high - low). */
  expected: number;
}

/**
 * Reads the whole event topic, from each partition's first offset to the head it had
 * when the scan started, handing records to `onRecords` in order within each partition
 * (partitions interleave). kafkajs has no group-less consumer, so the scan joins a group
 * of its own, named once and never committed to: it moves no other group's offsets.
 * One user's events share a partition (the key is product, env and identifier), so
 * folding a user's sessions sees them in log order. `onRecords` is awaited before the
 * next batch: it is the back-pressure.
 */
export async function scanKafkaLog(
  options: KafkaEventLogOptions,
  logger: LoggerService,
  onRecords: (records: LoggedRecord[]) => Promise<void> | void,
  timeoutMs = 10 * 60_000,
): Promise<KafkaScanReport> {
  const resolved = resolveKafkaEventLogOptions(options);
  const kafka = new Kafka({ clientId: resolved.clientId, brokers: resolved.brokers, logLevel: logLevel.WARN, logCreator: kafkajsLogCreator(logger) });
  const admin = kafka.admin();
  await admin.connect();
  let heads: Map<number, bigint>;
  let expected = 0;
  try {
    const offsets = await admin.fetchTopicOffsets(resolved.topic);
    heads = new Map(offsets.filter((entry) => BigInt(entry.high) > BigInt(entry.low)).map((entry) => [entry.partition, BigInt(entry.high)]));
    expected = offsets.reduce((sum, entry) => sum + Number(BigInt(entry.high) - BigInt(entry.low)), 0);
  } finally {
    await admin.disconnect();
  }
  if (heads.size === 0) return { records: 0, expected: 0 };

  const consumer = kafka.consumer({
    groupId: `${resolved.clientId}-scan-${randomUUID()}`,
    sessionTimeout: resolved.consumer.sessionTimeoutMs,
    rebalanceTimeout: resolved.consumer.rebalanceTimeoutMs,
    heartbeatInterval: resolved.consumer.heartbeatIntervalMs,
    maxWaitTimeInMs: resolved.consumer.fetchMaxWaitMs,
    allowAutoTopicCreation: false,
  });
  let records = 0;
  const remaining = new Set(heads.keys());
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [resolved.topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the scan of "${resolved.topic}" did not finish within ${timeoutMs} ms (${records} of ${expected} records)`)), timeoutMs);
      const finish = (error?: unknown) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) finish(payload.error);
      });
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch, heartbeat }) => {
            const head = heads.get(batch.partition);
            if (head === undefined) return;
            // Records appended after the scan began are left for the live consumers.
            const messages = batch.messages.filter((message) => BigInt(message.offset) < head);
            if (messages.length > 0) {
              await onRecords(messages.map((message) => ({ position: formatPosition(batch.partition, message.offset), raw: message.value?.toString('utf8') ?? '' })));
              records += messages.length;
            }
            await heartbeat();
            if (BigInt(batch.lastOffset()) + 1n >= head && remaining.delete(batch.partition) && remaining.size === 0) finish();
          },
        })
        .catch(finish);
    });
  } finally {
    await consumer.disconnect();
  }
  return { records, expected };
}
