import { createHash } from 'node:crypto';
import { DeadLetter } from '@waymark/event-log';

/**
 * Kafka's answers for a produce request holding a record (or a record batch) bigger than
 * the topic accepts (`max.message.bytes`, the broker's `message.max.bytes`). The broker
 * gives the same answer to the same record on every attempt, so retrying a dead letter
 * that met one would stop the projector for good: the projector writes it truncated
 * instead (`truncatedDeadLetter`).
 */
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/**
 * Whether writing dead letters failed because a record was too large for the log. The
 * Kafka client wraps the broker's error (KafkaJSNonRetriableError, once per retrier), so
 * the `cause` chain is searched for its `type`; matched by name only, never by code (a
 * code alone means other things in other libraries). The SQLite log has no such limit.
 */
export function isTooLargeForDeadLetters(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth += 1) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === 'string' && TOO_LARGE.has(type)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** Characters of the original payload kept at the head of a truncated dead letter: the envelope's id and type come first. */
export const TRUNCATED_HEAD_CHARS = 1024;

/** What a truncated dead letter's value holds instead of the original payload. */
export interface TruncatedPayload {
  truncated: true;
  /** Size of the original payload, UTF-8 bytes. */
  originalBytes: number;
  /** SHA-256 of the original payload (UTF-8), hex: names it in the log. */
  sha256: string;
  /** Its first TRUNCATED_HEAD_CHARS characters, to tell which event it was. */
  head: string;
}

/**
 * The dead letter with its payload replaced by a small JSON marker (size, hash, head of
 * the original), its reason kept and extended to say so. Its position is kept, so the
 * Kafka consumer still writes it with the original key and headers (event id, type) and
 * the source offset; the event itself stays in the event log, whence it can be read
 * again in full. Redriving such a letter sends the marker, not the event: it fails the
 * envelope check and comes back as a dead letter.
 */
export function truncatedDeadLetter(letter: DeadLetter): { letter: DeadLetter; payload: TruncatedPayload } {
  const raw = letter.record.raw;
  const payload: TruncatedPayload = {
    truncated: true,
    originalBytes: Buffer.byteLength(raw),
    sha256: createHash('sha256').update(raw).digest('hex'),
    head: raw.slice(0, TRUNCATED_HEAD_CHARS),
  };
  return {
    letter: {
      record: { ...letter.record, raw: JSON.stringify(payload) },
      reason: `${letter.reason} [payload truncated for the dead-letter topic: ${payload.originalBytes} bytes, sha256 ${payload.sha256}]`,
    },
    payload,
  };
}
