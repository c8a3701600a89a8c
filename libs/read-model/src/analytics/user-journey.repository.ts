import { ClickHouseClient } from '@clickhouse/client';
import { ACTIVITY, QueryLimits, TimeRange, clickHouseTime, isoOf, rangeParams, runQuery } from './analytics-query';
import { UserKey } from './user-profile.repository';

/** Where the previous page ended: the last row's position in (occurred_at, event_id) order. */
export interface JourneyCursor {
  occurredAt: number;
  eventId: string;
}

export const JOURNEY_KINDS = ['lifecycle', 'activity'] as const;
export type JourneyKind = (typeof JOURNEY_KINDS)[number];

export interface JourneyPageQuery {
  key: UserKey;
  range?: TimeRange;
  kind?: JourneyKind;
  /** Activity filters: when any is given, only activity records match. */
  status?: string;
  name?: string;
  processId?: string;
  after?: JourneyCursor;
  limit: number;
}

export interface JourneyItem {
  id: string;
  type: string;
  occurredAt: string;
  sessionId: string;
  /** Activity records only. */
  name?: string;
  status?: string;
  latencyMs?: number | null;
  processId?: string;
  /** The event's data; a start's sealed user data is left out (the profile answers it, to keys allowed to read it). */
  data: Record<string, unknown>;
}

export interface JourneyPage {
  items: JourneyItem[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  next: JourneyCursor | null;
}

/** One page row; `data` is the item's data as JSON, made by ClickHouse at insert (migration 0006). */
interface Row {
  id: string;
  type: string;
  occurred_at: string;
  session_id: string;
  data: string;
}

/**
 * One user's events in (occurred_at, event_id) order, a page at a time. Paging is by
 * position, not offset: the next page starts strictly after the last row returned, so
 * events that arrive meanwhile never shift or repeat rows of later pages (they show up
 * in their place in time). The user's events are contiguous in the sort key, so each
 * page reads a few granules of `journey_events` (migration 0006: no partitions, 256-row
 * granules, the item prebuilt as JSON); `LIMIT 1 BY` drops duplicates not yet merged.
 *
 * Ties in time are broken by the event id as text: ids are UUIDv7, minted in order,
 * so records reported in one call (same millisecond) keep the order they were given.
 * ClickHouse's own UUID order compares the random half first and would not.
 */
export class UserJourneyRepository {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly limits: QueryLimits,
  ) {}

  async page(query: JourneyPageQuery): Promise<JourneyPage> {
    const activityOnly = query.kind === 'activity' || query.status !== undefined || query.name !== undefined || query.processId !== undefined;
    const conditions = [
      `product = {product:String} AND env = {env:String} AND tag = {tag:String} AND identifier = {identifier:String}`,
      query.range ? `occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}` : '',
      query.after ? `(occurred_at, toString(event_id)) > ({afterAt:DateTime64(3, 'UTC')}, {afterId:String})` : '',
      activityOnly ? `type = '${ACTIVITY}'` : '',
      // Lifecycle events carry no status, name or process id: asking for both matches nothing.
      query.kind === 'lifecycle' ? `type != '${ACTIVITY}'` : '',
      query.status !== undefined ? 'status = {status:String}' : '',
      query.name !== undefined ? 'step = {name:String}' : '',
      query.processId !== undefined ? 'process_id = {processId:String}' : '',
    ].filter(Boolean);
    const rows = await runQuery<Row>(
      this.client,
      `SELECT toString(event_id) AS id, type, occurred_at, toString(session_id) AS session_id, data
       FROM journey_events
       WHERE ${conditions.join(' AND ')}
       ORDER BY occurred_at, id
       LIMIT 1 BY id
       LIMIT {limit:UInt32}`,
      {
        ...query.key,
        ...(query.range ? rangeParams(query.range) : {}),
        afterAt: query.after ? clickHouseTime(query.after.occurredAt) : '',
        afterId: query.after?.eventId ?? '',
        status: query.status ?? '',
        name: query.name ?? '',
        processId: query.processId ?? '',
        limit: query.limit + 1,
      },
      this.limits,
    );
    const items = rows.slice(0, query.limit).map(toItem);
    const last = items[items.length - 1];
    return { items, next: rows.length > query.limit ? { occurredAt: Date.parse(last.occurredAt), eventId: last.id } : null };
  }
}

/**
 * An item from its row: the activity fields shown beside `data` are `data`'s own
 * (absent ones as null and '', as the columns of migration 0002 give them).
 */
function toItem(row: Row): JourneyItem {
  const data = JSON.parse(row.data) as Record<string, unknown>;
  const item: JourneyItem = { id: row.id, type: row.type, occurredAt: isoOf(row.occurred_at)!, sessionId: row.session_id, data };
  if (row.type !== ACTIVITY) return item;
  return {
    ...item,
    name: data.name as string,
    status: data.status as string,
    latencyMs: (data.latencyMs as number | undefined) ?? null,
    processId: (data.processId as string | undefined) ?? '',
    data,
  };
}
