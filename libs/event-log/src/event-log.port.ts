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

export interface EventLog {
  /** Resolves once every event is durable in the log, in the order given. */
  append(events: readonly EventEnvelope[]): Promise<void>;
  openConsumer(group: string): EventLogConsumer;
  describeLag(group: string): Promise<LagReport>;
}
