import { EventEnvelope, partitionKeyOf } from '@waymark/domain';
import { IHeaders, Message } from 'kafkajs';
import { DeadLetter } from '../event-log.port';

/** Header names written on every event record and on every dead letter. */
export const HEADERS = {
  eventId: 'event-id',
  eventType: 'event-type',
  eventVersion: 'event-version',
  deadLetterReason: 'dead-letter-reason',
  deadLetterGroup: 'dead-letter-group',
  deadLetterSource: 'dead-letter-source',
  deadLetterAt: 'dead-letter-at',
} as const;

/**
 * One event as a Kafka record. The key is product, env and identifier, so one user's
 * events hash to one partition and keep their order; the record timestamp is the
 * event's time, so a replay can seek to a moment by event time (see `recordTimestampOf`
 * for an event time Kafka cannot carry).
 */
export function toEventMessage(event: EventEnvelope): Message {
  const timestamp = recordTimestampOf(event.occurredAt);
  return {
    key: partitionKeyOf(event),
    value: JSON.stringify(event),
    ...(timestamp ? { timestamp } : {}),
    headers: {
      [HEADERS.eventId]: event.id,
      [HEADERS.eventType]: event.type,
      [HEADERS.eventVersion]: String(event.version),
    },
  };
}

/**
 * The record timestamp for an event time: its Unix ms, or undefined when Kafka cannot
 * carry it, so that kafkajs stamps the record with the time of sending instead. Kafka
 * timestamps are non-negative ms (-1 means "none"); brokers and other clients refuse a
 * record with any other negative value (INVALID_TIMESTAMP), and a time that does not
 * parse would be sent as "NaN". Such an event is still produced: the projector's
 * envelope check dead-letters it if the read model cannot hold it, rather than one bad
 * timestamp failing a whole produce request of other users' events.
 */
export function recordTimestampOf(occurredAt: unknown): string | undefined {
  const at = typeof occurredAt === 'string' ? Date.parse(occurredAt) : Number.NaN;
  return Number.isSafeInteger(at) && at >= 0 ? String(at) : undefined;
}

/** What a record costs in a produce request, near enough to keep requests under the broker's limit. */
export function messageBytes(message: Message): number {
  let bytes = byteLength(message.key) + byteLength(message.value) + 70;
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += Buffer.byteLength(name) + byteLength(value as string | Buffer | undefined) + 2;
  }
  return bytes;
}

/** A dead letter keeps the original key and headers, so it can be re-driven into the same partition. */
export function toDeadLetterMessage(
  letter: DeadLetter,
  source: { topic: string; group: string; key: Buffer | null; headers: IHeaders | undefined },
  at: Date,
): Message {
  return {
    key: source.key,
    value: letter.record.raw,
    headers: {
      ...source.headers,
      [HEADERS.deadLetterReason]: letter.reason,
      [HEADERS.deadLetterGroup]: source.group,
      [HEADERS.deadLetterSource]: `${source.topic}:${letter.record.position}`,
      [HEADERS.deadLetterAt]: at.toISOString(),
    },
  };
}

/**
 * A dead letter sent back to the event topic: its original key (so it lands in its
 * user's partition again), value and headers, without the dead-letter ones, and the
 * event's own time as timestamp when the value still names one.
 */
export function toRedrivenMessage(letter: { key: Buffer | null; raw: string; headers: Record<string, string> }): Message {
  const deadLetterHeaders = new Set<string>([HEADERS.deadLetterReason, HEADERS.deadLetterGroup, HEADERS.deadLetterSource, HEADERS.deadLetterAt]);
  const headers = Object.fromEntries(Object.entries(letter.headers).filter(([name]) => !deadLetterHeaders.has(name)));
  let timestamp: string | undefined;
  try {
    timestamp = recordTimestampOf((JSON.parse(letter.raw) as { occurredAt?: unknown } | null)?.occurredAt);
  } catch {
    // Not JSON: the broker stamps it with the time of the redrive.
  }
  return { key: letter.key, value: letter.raw, headers, ...(timestamp ? { timestamp } : {}) };
}

/** Positions are `<partition>:<offset>`: ordered within a partition, opaque across them. */
export function formatPosition(partition: number, offset: string): string {
  return `${partition}:${offset}`;
}

function byteLength(value: string | Buffer | null | undefined): number {
  if (value == null) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}
