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
 * event's time, so a replay can seek to a moment by event time.
 */
export function toEventMessage(event: EventEnvelope): Message {
  return {
    key: partitionKeyOf(event),
    value: JSON.stringify(event),
    timestamp: String(Date.parse(event.occurredAt)),
    headers: {
      [HEADERS.eventId]: event.id,
      [HEADERS.eventType]: event.type,
      [HEADERS.eventVersion]: String(event.version),
    },
  };
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

/** Positions are `<partition>:<offset>`: ordered within a partition, opaque across them. */
export function formatPosition(partition: number, offset: string): string {
  return `${partition}:${offset}`;
}

export function parsePosition(position: string): { partition: number; offset: string } | undefined {
  const match = /^(\d+):(\d+)$/.exec(position);
  return match ? { partition: Number(match[1]), offset: match[2] } : undefined;
}

function byteLength(value: string | Buffer | null | undefined): number {
  if (value == null) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}
