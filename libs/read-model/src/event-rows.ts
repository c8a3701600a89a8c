import { EventEnvelope } from '@waymark/domain';

/** Column order of the rows below; matches the `events` table. */
export const EVENT_COLUMNS = [
  'event_id',
  'type',
  'version',
  'occurred_at',
  'product',
  'env',
  'tag',
  'identifier',
  'session_id',
  'data',
  'meta',
  'log_position',
] as const;

export type EventRow = [string, string, number, string, string, string, string, string, string, string, string, string];

/**
 * Envelope → positional row for `JSONCompactEachRow`, which chDB parses about 2.5×
 * faster than `JSONEachRow` (design brief §4).
 */
export function toEventRow(event: EventEnvelope, position: string): EventRow {
  return [
    event.id,
    event.type,
    event.version,
    toClickHouseDateTime(event.occurredAt),
    event.product,
    event.env,
    event.tag,
    event.identifier,
    event.sessionId,
    JSON.stringify(event.data),
    JSON.stringify(event.meta),
    position,
  ];
}

/** `2026-11-26T17:26:44.498Z` → `2026-11-26 17:26:44.498`, the form DateTime64(3) reads by default. */
export function toClickHouseDateTime(iso: string): string {
  return iso.slice(0, 10) + ' ' + iso.slice(11, 23);
}

/** The reverse, for answers: ClickHouse's `2026-11-26 17:26:44.498` → ISO-8601 UTC. */
export function fromClickHouseDateTime(value: string): string {
  return value.slice(0, 10) + 'T' + value.slice(11, 23) + 'Z';
}
