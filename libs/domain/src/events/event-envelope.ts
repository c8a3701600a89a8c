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
  /**
   * Only in the form an event is stored in (the log, Kafka): the user's pseudonymous
   * subject id, which replaces the identifier there, so destroying the user's key
   * (crypto-shredding, docs/privacy.md) leaves nothing that names them. Consumers see
   * events decoded by libs/privacy's PersonalDataCodec: identifier set, no subject.
   */
  subject?: string;
  data: TData;
  meta: EventMeta;
}

export interface EventMeta {
  requestId?: string;
  /** Which component wrote the event, e.g. `api`, `cli`. */
  source: string;
}

/** The partitioning key: one user's events in one product and env stay in order. */
export function partitionKeyOf(event: Pick<EventEnvelope, 'product' | 'env' | 'identifier' | 'subject'>): string {
  // A stored event names its user by subject; the key must not carry the identifier.
  return `${event.product}\u001f${event.env}\u001f${event.subject ?? event.identifier}`;
}
