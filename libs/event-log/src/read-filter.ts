import { ReadFilter } from './event-log.port';

/**
 * A filter on one user of a log that stores events under subjects (crypto-shredding):
 * `identifier` matches the events written before (identifier in the clear), `subjects`
 * (the user's, one per product, found by the caller from the key store) the events
 * written since. With no `identifier`, `subjects` is ignored.
 */
export interface UserReadFilter extends ReadFilter {
  subjects?: readonly string[];
}

/**
 * `ReadFilter` applied to one raw record, for logs that cannot filter at the source
 * (Kafka): the same rules the SQLite reader puts in SQL. A record that is not an
 * envelope matches only an empty filter, so an unfiltered export still carries it.
 */
export function recordMatches(raw: string, filter: UserReadFilter): boolean {
  const { subjects, ...narrowing } = filter;
  const narrowed = Object.values(narrowing).some((value) => value !== undefined);
  if (!narrowed) return true;
  let envelope: Record<string, unknown>;
  try {
    envelope = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return false;
  }
  if (typeof envelope !== 'object' || envelope === null) return false;
  if (filter.product !== undefined && envelope.product !== filter.product) return false;
  if (filter.tag !== undefined && envelope.tag !== filter.tag) return false;
  if (filter.identifier !== undefined && envelope.identifier !== filter.identifier && !subjects?.includes(envelope.subject as string)) return false;
  if (filter.types !== undefined && filter.types.length > 0 && !filter.types.includes(envelope.type as string)) return false;
  if (filter.since !== undefined || filter.until !== undefined) {
    const at = Date.parse(envelope.occurredAt as string);
    if (!Number.isFinite(at)) return false;
    if (filter.since !== undefined && at < filter.since) return false;
    if (filter.until !== undefined && at >= filter.until) return false;
  }
  return true;
}
