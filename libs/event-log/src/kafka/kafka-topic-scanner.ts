import { randomUUID } from 'node:crypto';
import { LoggerService } from '@nestjs/common';
import { IHeaders, Kafka } from 'kafkajs';
import { ResolvedKafkaEventLogOptions } from './kafka-event-log.options';
import { formatPosition } from './kafka-records';

/** One record as read from a topic, outside any consumer group's progress. */
export interface ScannedRecord {
  partition: number;
  offset: string;
  /** `<partition>:<offset>`, as consumers and dead letters name it. */
  position: string;
  key: Buffer | null;
  raw: string;
  headers: Record<string, string>;
  /** The record's timestamp (for events: the event's time), Unix ms. */
  timestamp: number;
}

/** Where a scan starts on every partition. */
// No start by time: librdkafka's mock broker answers a ListOffsets by timestamp with
// nothing, so such a seek could not be tested here; export filters on event time instead.
export type ScanStart = { kind: 'beginning' } | { kind: 'end'; minus?: number } | { kind: 'offsets'; offsets: ReadonlyMap<number, string> };

export interface ScanOptions {
  start: ScanStart;
  /**
   * false: stop at the high watermarks read when the scan began (a snapshot: export,
   * list). true: keep reading new records until `signal` aborts (tail).
   */
  follow: boolean;
  signal?: AbortSignal;
  /** Told, before the first record, how many records lie between the starts and the snapshot's end. */
  onPlan?: (plan: { planned: number; starts: ReadonlyMap<number, string>; ends: ReadonlyMap<number, string> }) => void;
  /** Called with each fetched run of records of one partition, in offset order. */
  onRecords: (records: ScannedRecord[]) => Promise<void> | void;
}

export interface ScanSummary {
  /** Records handed to `onRecords`. */
  records: number;
  /** Records between the start and the snapshot's end on every partition (without follow). */
  planned: number;
  /** The snapshot's end: each partition's high watermark when the scan began. */
  ends: ReadonlyMap<number, string>;
}

/**
 * Reads a topic from chosen offsets without touching any consumer group's committed
 * offsets: the operator's tools (export, tail, dead-letter listing) in distributed mode.
 * kafkajs reads only as a group member, so the scan joins a group of its own (a fresh
 * id, never committed to), seeks every partition to its start, and pauses each
 * partition once it reached the snapshot's end. Order holds within a partition; across
 * partitions records interleave as fetched.
 */
export class KafkaTopicScanner {
  constructor(
    private readonly kafka: Kafka,
    private readonly logger: LoggerService,
    /** The group timings of the deployment (the mock broker needs short ones); kafkajs's defaults otherwise. */
    private readonly timings?: Pick<ResolvedKafkaEventLogOptions['consumer'], 'sessionTimeoutMs' | 'rebalanceTimeoutMs' | 'heartbeatIntervalMs'>,
  ) {}

  async scan(topic: string, options: ScanOptions): Promise<ScanSummary> {
    const { starts, ends } = await this.plan(topic, options.start);
    const planned = [...starts].reduce((sum, [partition, start]) => sum + Math.max(0, Number(ends.get(partition)) - Number(start)), 0);
    options.onPlan?.({ planned, starts, ends });
    const pending = new Set(
      [...starts].filter(([partition, start]) => options.follow || BigInt(start) < BigInt(ends.get(partition) as string)).map(([partition]) => partition),
    );
    if (pending.size === 0) return { records: 0, planned, ends };

    const consumer = this.kafka.consumer({
      groupId: `waymark-scan-${randomUUID()}`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 250,
      ...(this.timings && {
        sessionTimeout: this.timings.sessionTimeoutMs,
        rebalanceTimeout: this.timings.rebalanceTimeoutMs,
        heartbeatInterval: this.timings.heartbeatIntervalMs,
      }),
    });
    let handed = 0;
    // Per partition, the next offset to hand out: each record goes to onRecords once.
    const next = new Map([...starts].map(([partition, offset]) => [partition, BigInt(offset)]));
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      let done!: () => void;
      let fail!: (error: unknown) => void;
      const finished = new Promise<void>((resolve, reject) => ((done = resolve), (fail = reject)));
      // A failing onRecords, or a broker error kafkajs gives up on, crashes the consumer;
      // a crash kafkajs restarts from itself is not the end of the scan.
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) fail(payload.error);
      });
      options.signal?.addEventListener('abort', () => done(), { once: true });
      if (options.signal?.aborted) done();
      // Resolves once this member joined its group and fetching started.
      await consumer.run({
        autoCommit: false,
        eachBatch: async (payload) => {
          const { batch } = payload;
          const from = next.get(batch.partition) ?? 0n;
          const end = options.follow ? undefined : BigInt(ends.get(batch.partition) ?? '0');
          const records: ScannedRecord[] = [];
          for (const message of batch.messages) {
            const offset = BigInt(message.offset);
            // Below `from`: fetched before the seek took effect, or again after kafkajs
            // restarted the consumer from the group's (never committed) start.
            if (offset < from) continue;
            if (end !== undefined && offset >= end) break;
            records.push(toScannedRecord(batch.partition, message));
          }
          if (records.length > 0) {
            await options.onRecords(records);
            // Only once handed over: a batch whose onRecords threw is fetched and offered again.
            next.set(batch.partition, BigInt(records[records.length - 1].offset) + 1n);
            handed += records.length;
          }
          // onRecords may take a while (a ClickHouse insert): stay in the group meanwhile.
          await payload.heartbeat();
          if (end !== undefined && BigInt(batch.lastOffset()) + 1n >= end && pending.delete(batch.partition)) {
            consumer.pause([{ topic, partitions: [batch.partition] }]);
            if (pending.size === 0) done();
          }
        },
      });
      for (const [partition, offset] of starts) consumer.seek({ topic, partition, offset });
      await finished;
      return { records: handed, planned, ends };
    } finally {
      await consumer.disconnect().catch((error: unknown) => {
        this.logger.warn({ err: error }, 'scan consumer did not disconnect cleanly');
      });
    }
  }

  /** Start offsets per partition, and the high watermarks now (the snapshot's end). */
  async plan(topic: string, start: ScanStart): Promise<{ starts: Map<number, string>; ends: Map<number, string> }> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      const ends = new Map(offsets.map(({ partition, high }) => [partition, high]));
      const lows = new Map(offsets.map(({ partition, low }) => [partition, low]));
      const clampToLow = (partition: number, offset: bigint) =>
        String(offset < BigInt(lows.get(partition) as string) ? BigInt(lows.get(partition) as string) : offset);
      const starts =
        start.kind === 'beginning'
          ? new Map(lows)
          : start.kind === 'end'
            ? new Map(offsets.map(({ partition, high }) => [partition, clampToLow(partition, BigInt(high) - BigInt(start.minus ?? 0))]))
            : new Map(offsets.map(({ partition }) => [partition, clampToLow(partition, BigInt(start.offsets.get(partition) ?? '0'))]));
      return { starts, ends };
    } finally {
      await admin.disconnect();
    }
  }
}

function toScannedRecord(
  partition: number,
  message: { offset: string; key: Buffer | null; value: Buffer | null; headers?: IHeaders; timestamp: string },
): ScannedRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.map(headerText).join(',') : headerText(value);
  }
  return {
    partition,
    offset: message.offset,
    position: formatPosition(partition, message.offset),
    key: message.key,
    raw: message.value?.toString('utf8') ?? '',
    headers,
    timestamp: Number(message.timestamp),
  };
}

function headerText(value: Buffer | string): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : value;
}
