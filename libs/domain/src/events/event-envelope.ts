/**
 * The one envelope every event travels in, from the command handler through the log
 * to the read model. Plain data only: it is serialised to SQLite, Kafka and ClickHouse.
 */
export interface EventEnvelope<TType extends string = string, TData = unknown> {
  /** UUIDv7; also the idempotency key the read model deduplicates on. */
  id: string;
  type: TType;
  /** Schema version of `data` for this type; consumers refuse versions they do not know. */
  version: number;
  /** ISO-8601, UTC, millisecond precision. */
  occurredAt: string;
  product: string;
  env: string;
  tag: string;
  sessionId: string;
  identifier: string;
  data: TData;
  meta: EventMeta;
}

export interface EventMeta {
  requestId?: string;
  /** Which component wrote the event, e.g. `api`, `cli`. */
  source: string;
}

/** The partitioning key: one user's events in one product and env stay in order. */
export function partitionKeyOf(event: Pick<EventEnvelope, 'product' | 'env' | 'identifier'>): string {
  return `${event.product}\u001f${event.env}\u001f${event.identifier}`;
}
