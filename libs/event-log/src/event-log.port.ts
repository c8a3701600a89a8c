import { EventEnvelope } from '@waymark/domain';

/** Nest injection token for the active EventLog (SQLite in embedded mode, Kafka in distributed). */
export const EVENT_LOG = Symbol('EVENT_LOG');

/** One record as it sits in the log: its position there and the raw envelope JSON. */
export interface LoggedRecord {
  /** Opaque to consumers; ordered within a partition (SQLite has one, the whole log). */
  position: string;
  raw: string;
}

/** A record a consumer could not process, with the reason, kept aside for inspection. */
export interface DeadLetter {
  record: LoggedRecord;
  reason: string;
}

export interface EventBatch {
  records: LoggedRecord[];
  /**
   * Names exactly the records of this batch, so that a projection can use it as its
   * insert deduplication token: two batches with the same key must hold the same
   * records. The consumer builds it, because only it knows what makes a batch unique
   * (one range of the SQLite log; one range per partition for Kafka, where the first
   * and last positions alone do not tell batches of different partitions apart).
   */
  dedupKey: string;
  /**
   * Whether this batch reached the end of what the consumer can see now, so that the next
   * read would find nothing or only what arrives meanwhile. A projector waits (lingers)
   * only then: while a backlog remains it reads on at once. Absent: a batch smaller than
   * asked for counts as caught up, which is exact for the SQLite log (one reader, reads
   * up to the head). A Kafka fetch is bounded by bytes, not by the backlog, so its
   * consumer says so itself.
   */
  caughtUp?: boolean;
  /** Moves the consumer's checkpoint past this batch; call only after it was fully processed. */
  commit(): Promise<void>;
}

export interface EventLogConsumer {
  /**
   * The next records after the checkpoint, at most `maxRecords`. Waits up to
   * `maxWaitMs` for the first one, so an idle consumer neither spins nor lags.
   */
  nextBatch(maxRecords: number, maxWaitMs: number): Promise<EventBatch>;
  deadLetter(letters: DeadLetter[]): Promise<void>;
  close(): Promise<void>;
}

/** How far a consumer group is behind the head of the log, per partition. */
export interface LagReport {
  group: string;
  partitions: Array<{ partition: string; committed: string; head: string; lag: number }>;
  total: number;
}

/** Where a reader starts: the whole log, the first event at or after a time, or a position. */
export type ReadStart = { kind: 'beginning' } | { kind: 'time'; at: number } | { kind: 'position'; position: string };

/** Limits what a reader returns; every field narrows it further. */
export interface ReadFilter {
  product?: string;
  tag?: string;
  identifier?: string;
  types?: string[];
  /** On the events' own time (occurredAt), in Unix ms: [since, until). */
  since?: number;
  until?: number;
}

/**
 * Reads the log in order from a start, outside any consumer group (replay, export,
 * tail): it never moves a group's checkpoint.
 */
export interface EventLogReader {
  /** The first position at or after the start, or undefined when nothing is there yet. */
  resolveStart(start: ReadStart): Promise<string | undefined>;
  /** The newest position in the log now. */
  head(): Promise<string>;
  /** Records in scope with positions in [from, to]. */
  count(from: string, to: string): Promise<number>;
  /** Up to `max` records in scope, from a position (inclusive) or after one (exclusive), in order. */
  read(cursor: { from: string } | { after: string }, max: number): Promise<LoggedRecord[]>;
  /** Orders two positions of this log: negative when a comes first. */
  compare(a: string, b: string): number;
}

export interface EventLog {
  /** Resolves once every event is durable in the log, in the order given. */
  append(events: readonly EventEnvelope[]): Promise<void>;
  openConsumer(group: string): EventLogConsumer;
  describeLag(group: string): Promise<LagReport>;
}

/**
 * A log that can also be read by position outside consumer groups (replay, export,
 * tail). The embedded log is; the Kafka adapter is not yet (it would need a consumer
 * that seeks per partition).
 */
export interface ReadableEventLog extends EventLog {
  openReader(filter?: ReadFilter): EventLogReader;
}
