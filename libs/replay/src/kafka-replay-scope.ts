import { ReadStart } from '@waymark/event-log';
import { EventRow, toClickHouseDateTime } from '@waymark/read-model';
import { ReplayRequest } from './replay-plan';
import { PartitionOffsets } from './kafka-replay-journal';

/**
 * What a replay from Kafka rebuilds, as a row filter (for the scanned records) and as
 * SQL (to copy the rest of the live table into the shadow one).
 *
 * - from the beginning: every record of the product/tag asked (all when none);
 * - from a time: records whose event time is at or after it. Kafka positions are per
 *   partition and the test broker cannot seek by time, so the scan reads the whole
 *   topic and the scope is decided by the event's own time (the embedded log instead
 *   replays everything from the first position at or after that time: the same events
 *   when the log is in time order);
 * - from positions (`<partition>:<offset>,…`): on each partition named, records from that
 *   offset on; partitions not named are replayed from their oldest record.
 */
export interface KafkaReplayScope {
  /** Where the scan starts on each partition ('0' = the oldest kept record). */
  scanStarts: Map<number, string>;
  /** True when the row belongs to the rebuilt part (a whole replay: always). */
  covers: (row: EventRow) => boolean;
  /** `covers` in SQL over `events`, with its parameters; undefined for a whole replay. */
  sql: { where: string; params: Record<string, unknown> } | undefined;
  partial: boolean;
}

const POSITIONS = /^\d+:\d+(,\d+:\d+)*$/;
const MAX_PARTITION = 2 ** 31 - 1;
const MAX_OFFSET = 2n ** 63n - 1n;

/** `0:120,3:4000` → partition → offset. Throws a message naming the expected form. */
export function parseKafkaPositions(text: string): Map<number, string> {
  if (!POSITIONS.test(text)) throw new Error(`a Kafka start position is <partition>:<offset>[,<partition>:<offset>…], not "${text}"`);
  const offsets = new Map<number, string>();
  for (const pair of text.split(',')) {
    const [partition, offset] = pair.split(':');
    // Kafka's own bounds (int32 partition, int64 offset): anything past them names nothing in any topic.
    if (Number(partition) > MAX_PARTITION) throw new Error(`partition ${partition} is past Kafka's highest partition number (${MAX_PARTITION})`);
    if (BigInt(offset) > MAX_OFFSET) throw new Error(`offset ${offset} is past Kafka's highest offset (${MAX_OFFSET})`);
    if (offsets.has(Number(partition))) throw new Error(`partition ${partition} is named twice in "${text}"`);
    offsets.set(Number(partition), offset);
  }
  return offsets;
}

export function kafkaReplayScope(request: ReplayRequest): KafkaReplayScope {
  const start: ReadStart = request.start;
  const positions = start.kind === 'position' ? parseKafkaPositions(start.position) : new Map<number, string>();
  const since = start.kind === 'time' ? toClickHouseDateTime(new Date(start.at).toISOString()) : undefined;
  const startOf = (partition: number) => BigInt(positions.get(partition) ?? '0');

  const afterStart = (position: string): boolean => {
    if (positions.size === 0) return true;
    const [partition, offset] = position.split(':');
    return BigInt(offset) >= startOf(Number(partition));
  };
  // Row fields by EVENT_COLUMNS: 3 occurred_at (ClickHouse text form, which sorts as time), 4 product, 6 tag, 11 log position.
  const covers = (row: EventRow): boolean =>
    (request.product === undefined || row[4] === request.product) &&
    (request.tag === undefined || row[6] === request.tag) &&
    (since === undefined || row[3] >= since) &&
    afterStart(row[11]);

  const partial = start.kind !== 'beginning' || request.product !== undefined || request.tag !== undefined;
  const conditions: string[] = [];
  const params: Record<string, unknown> = {};
  if (request.product !== undefined) {
    conditions.push('product = {product:String}');
    params.product = request.product;
  }
  if (request.tag !== undefined) {
    conditions.push('tag = {tag:String}');
    params.tag = request.tag;
  }
  if (start.kind === 'time') {
    conditions.push('occurred_at >= fromUnixTimestamp64Milli({since:Int64})');
    params.since = start.at;
  }
  if (positions.size > 0) {
    // log_position is `<partition>:<offset>`. The partitions named and their starts go as two
    // parallel arrays (as many entries as named, whatever the partition numbers); a partition
    // not named finds index 0, whose element is '', which reads as offset 0.
    params.partitions = [...positions.keys()];
    params.starts = [...positions.values()];
    conditions.push(
      `toUInt64OrZero(splitByChar(':', log_position)[2]) >= toUInt64OrZero(arrayElement({starts:Array(String)}, ` +
        `indexOf({partitions:Array(UInt32)}, toUInt32OrZero(splitByChar(':', log_position)[1]))))`,
    );
  }
  return {
    scanStarts: positions,
    covers,
    sql: partial ? { where: conditions.length > 0 ? conditions.join(' AND ') : '1', params } : undefined,
    partial,
  };
}

/** JSON-friendly offsets (journal) ↔ the scanner's map. */
export const toPartitionOffsets = (offsets: ReadonlyMap<number, string>): PartitionOffsets =>
  Object.fromEntries([...offsets].map(([partition, offset]) => [String(partition), offset]));
export const fromPartitionOffsets = (offsets: PartitionOffsets): Map<number, string> =>
  new Map(Object.entries(offsets).map(([partition, offset]) => [Number(partition), offset]));
