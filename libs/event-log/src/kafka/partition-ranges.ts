/** The offsets of one partition that a batch holds: contiguous, from and to inclusive. */
export interface PartitionRange {
  partition: number;
  from: string;
  to: string;
}

/**
 * A Kafka batch's name for insert deduplication: every partition's range, sorted by
 * partition, e.g. `0:5-9,3:10-10`. Offsets never change meaning within a topic, so two
 * batches with this same key hold the same records, whatever order they were gathered
 * in. A batch's first and last positions would not do: `{0:5-9, 3:10}` and
 * `{0:5-9, 1:0-4, 3:10}` share both, and ClickHouse would drop the second insert as a
 * retry of the first (events lost, not duplicated).
 */
export function dedupKeyOfRanges(ranges: readonly PartitionRange[]): string {
  return [...ranges]
    .sort((a, b) => a.partition - b.partition)
    .map((range) => `${range.partition}:${range.from}-${range.to}`)
    .join(',');
}
