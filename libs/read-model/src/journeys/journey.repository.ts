import { ClickHouseClient } from '@clickhouse/client';
import { fromClickHouseDateTime } from '../event-rows';
import { LINEAGE_EVENT_TYPES, LineageEvent, SessionLineage, buildLineage } from '../lineage/session-lineage';

export interface JourneyKey {
  product: string;
  env: string;
  tag: string;
  identifier: string;
}

export interface JourneyEvent {
  id: string;
  type: string;
  version: number;
  occurredAt: string;
  sessionId: string;
  data: Record<string, unknown>;
  meta: Record<string, unknown>;
}

export interface JourneySession {
  sessionId: string;
  startedAt: string;
  lastEventAt: string;
  eventCount: number;
  /**
   * The session's refresh-token family as far as this journey's events show it (all of it
   * unless `truncated`); incidents without their sealed request metadata, which the
   * session's lineage endpoint opens. Absent when the events hold none of it.
   */
  lineage?: JourneyLineage;
}

export type JourneyLineage = Omit<SessionLineage, 'incidents'> & {
  incidents: Array<Omit<SessionLineage['incidents'][number], 'sealedRequest'>>;
};

export interface Journey extends JourneyKey {
  sessions: JourneySession[];
  events: JourneyEvent[];
  /** True when the user has more events than the limit returned. */
  truncated: boolean;
}

interface EventRowOut {
  id: string;
  type: string;
  version: number;
  occurred_at: string;
  session_id: string;
  data: string;
  meta: string;
}

/**
 * One user's events in time order, read from the raw events table. The sort key puts
 * them side by side, so this reads a few granules; `LIMIT 1 BY event_id` keeps a
 * replayed or retried event from showing twice before ClickHouse merges it away.
 */
export class JourneyRepository {
  constructor(private readonly client: ClickHouseClient) {}

  async find(key: JourneyKey, limit: number): Promise<Journey> {
    const result = await this.client.query({
      query: `SELECT toString(event_id) AS id, type, version, occurred_at, toString(session_id) AS session_id, data, meta
              FROM events
              WHERE product = {product:String} AND env = {env:String} AND tag = {tag:String}
                AND identifier = {identifier:String}
              ORDER BY occurred_at, event_id
              LIMIT 1 BY event_id
              LIMIT {limit:UInt32}`,
      query_params: { ...key, limit: limit + 1 },
      format: 'JSONEachRow',
    });
    const rows = await result.json<EventRowOut>();
    const truncated = rows.length > limit;
    const events = rows.slice(0, limit).map(toJourneyEvent);
    return { ...key, sessions: summariseSessions(events), events, truncated };
  }
}

function toJourneyEvent(row: EventRowOut): JourneyEvent {
  return {
    id: row.id,
    type: row.type,
    version: Number(row.version),
    occurredAt: fromClickHouseDateTime(row.occurred_at),
    sessionId: row.session_id,
    data: JSON.parse(row.data) as Record<string, unknown>,
    meta: JSON.parse(row.meta) as Record<string, unknown>,
  };
}

const IS_LINEAGE_TYPE: ReadonlySet<string> = new Set(LINEAGE_EVENT_TYPES);

/** Sessions in the order they started, summarised from the (already ordered) events. */
function summariseSessions(events: JourneyEvent[]): JourneySession[] {
  const sessions = new Map<string, JourneySession>();
  const lineageEvents = new Map<string, LineageEvent[]>();
  for (const event of events) {
    if (IS_LINEAGE_TYPE.has(event.type)) {
      const list = lineageEvents.get(event.sessionId) ?? [];
      list.push(event);
      lineageEvents.set(event.sessionId, list);
    }
    const session = sessions.get(event.sessionId);
    if (session) {
      session.lastEventAt = event.occurredAt;
      session.eventCount += 1;
    } else {
      sessions.set(event.sessionId, {
        sessionId: event.sessionId,
        startedAt: event.occurredAt,
        lastEventAt: event.occurredAt,
        eventCount: 1,
      });
    }
  }
  for (const [sessionId, lifecycle] of lineageEvents) {
    const session = sessions.get(sessionId);
    if (session) session.lineage = journeyLineageOf(buildLineage(lifecycle));
  }
  return [...sessions.values()];
}

function journeyLineageOf(lineage: SessionLineage): JourneyLineage {
  return { ...lineage, incidents: lineage.incidents.map(({ sealedRequest: _sealed, ...incident }) => incident) };
}
