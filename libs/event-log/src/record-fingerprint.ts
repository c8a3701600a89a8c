import { createHash } from 'node:crypto';

/**
 * 48 bits of SHA-256 of a record's raw value, for batch dedup keys: positions can be
 * reused (a Kafka topic re-created, a SQLite log that lost its tail and went on), and a
 * key of positions alone then names other records with an old batch's name, which
 * ClickHouse drops as a retry. Every record holds its own event id, so the fingerprint
 * of a batch's first record tells the batches apart; the same records always give the
 * same fingerprint, so a re-read batch still deduplicates.
 */
export function recordFingerprint(raw: string): string {
  return createHash('sha256').update(raw).digest('hex').slice(0, 12);
}
