import { recordFingerprint } from '../record-fingerprint';

/** The offsets of one partition that a batch holds: contiguous, from and to inclusive. */
export interface PartitionRange {
  partition: number;
  from: string;
  to: string;
  /** The raw value of the range's first record (see dedupKeyOfRanges), when known. */
  firstRaw?: string;
}

/**
 * A Kafka batch's name for insert deduplication: every partition's range, sorted by
 * partition, e.g. `0:5-9,3:10-10`. Offsets never change meaning within a topic, so two
 * batches with this same key hold the same records, whatever order they were gathered
 * in. A batch's first and last positions would not do: `{0:5-9, 3:10}` and
 * `{0:5-9, 1:0-4, 3:10}` share both, and ClickHouse would drop the second insert as a
 * retry of the first (events lost, not duplicated).
 *
 * Offsets do change meaning when the topic is deleted and re-created (or a partition is
 * truncated by an unclean leader election): offset 5 then holds another event, and a
 * key made of offsets alone made ClickHouse drop new batches as retries of old ones
 * (seen: 4 of 24 new sessions never projected). So each range also carries a short
 * fingerprint of its first record (`0:5-9~3f2a…`): the same records give the same
 * fingerprint on every re-read, different records at the same offsets another one. The
 * first record is enough: every record holds its own event id, and one hash per range
 * keeps the cost per batch negligible.
 */
export function dedupKeyOfRanges(ranges: readonly PartitionRange[]): string {
  return [...ranges]
    .sort((a, b) => a.partition - b.partition)
    .map((range) => `${range.partition}:${range.from}-${range.to}${range.firstRaw === undefined ? '' : `~${recordFingerprint(range.firstRaw)}`}`)
    .join(',');
}
