import { ClickHouseClient } from '@clickhouse/client';
import { fromClickHouseDateTime } from '../event-rows';
import {
  AnalyticsScope,
  BucketInterval,
  QueryLimits,
  RANGE_SQL,
  TimeRange,
  bucketSql,
  bucketStarts,
  clickHouseTime,
  fillBuckets,
  rangeParams,
  runQuery,
  scopeParams,
} from './analytics-query';

export interface ReuseIncidentsQuery {
  scope: AnalyticsScope;
  range: TimeRange;
  interval: BucketInterval;
  tz: string;
  /** Incidents listed (newest first), each with its blast radius. */
  limit: number;
  /** Events listed per blast radius (all are counted). */
  maxEvents: number;
}

/** One event of a blast radius: activity with its name and status, lifecycle events by type. */
export interface BlastRadiusEvent {
  id: string;
  type: string;
  occurredAt: string;
  name: string | null;
  status: string | null;
}

export interface BlastRadius {
  /** The rotation that spent the replayed token; null when the read model does not hold it. */
  rotationEventId: string | null;
  from: string | null;
  /** The revocation (the incident's instant). */
  to: string;
  /** Events recorded on the session after that rotation and before the revocation. */
  eventCount: number;
  events: BlastRadiusEvent[];
  truncated: boolean;
}

export interface ReuseIncident {
  eventId: string;
  occurredAt: string;
  env: string;
  identifier: string;
  sessionId: string;
  replayedGeneration: number;
  currentGeneration: number;
  sinceSpentMs: number | null;
  blastRadius: BlastRadius;
}

export interface ReuseIncidents {
  interval: BucketInterval;
  tz: string;
  totals: { incidents: number; sessions: number; users: number };
  series: Array<{ at: string; incidents: number; sessions: number }>;
  /** The newest incidents of the range, at most `limit`. */
  incidents: ReuseIncident[];
}

const REUSED = `type = 'RefreshTokenReused'`;
const SCOPE_SQL = `product = {product:String} AND tag = {tag:String} AND env IN {envs:Array(String)}`;

interface IncidentRow {
  id: string;
  occurred_at: string;
  env: string;
  identifier: string;
  session_id: string;
  replayed_generation: number;
  current_generation: number;
  since_spent_ms: number | null;
}

interface SessionEventRow {
  id: string;
  sid: string;
  type: string;
  occurred_at: string;
  step: string;
  status: string;
  generation: number;
}

/**
 * Refresh-token reuse incidents of a tag (docs/token-lineage.md). Incidents are rare, so
 * each read first finds them (`type` is a low-cardinality column: the scan reads one
 * byte per event of the tag in the range) and then reads only their sessions' events, by
 * the events table's sort key. Every count is over distinct event ids, so a replayed or
 * retried batch never counts twice.
 */
export class ReuseIncidentsRepository {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly limits: QueryLimits,
  ) {}

  async build(query: ReuseIncidentsQuery): Promise<ReuseIncidents> {
    const params = { ...scopeParams(query.scope), ...rangeParams(query.range), tz: query.tz };
    const incidentsOf = `SELECT event_id, occurred_at, env, identifier, session_id, data FROM events
                         WHERE ${SCOPE_SQL} AND ${REUSED} AND ${RANGE_SQL} LIMIT 1 BY event_id`;
    const [series, [totals], incidents, starts] = await Promise.all([
      runQuery<{ at: number; incidents: number; sessions: number }>(
        this.client,
        `SELECT toUnixTimestamp(${bucketSql(query.interval)}) * 1000 AS at, count() AS incidents, uniqExact(session_id) AS sessions
         FROM (${incidentsOf}) GROUP BY at ORDER BY at`,
        params,
        this.limits,
      ),
      runQuery<{ incidents: number; sessions: number; users: number }>(
        this.client,
        `SELECT count() AS incidents, uniqExact(session_id) AS sessions, uniqExact(env, identifier) AS users FROM (${incidentsOf})`,
        params,
        this.limits,
      ),
      runQuery<IncidentRow>(
        this.client,
        `SELECT toString(event_id) AS id, occurred_at, env, identifier, toString(session_id) AS session_id,
                JSONExtractInt(data, 'replayedGeneration') AS replayed_generation,
                JSONExtractInt(data, 'currentGeneration') AS current_generation,
                JSONExtract(data, 'sinceSpentMs', 'Nullable(Float64)') AS since_spent_ms
         FROM (${incidentsOf})
         ORDER BY occurred_at DESC, event_id DESC
         LIMIT {limit:UInt32}`,
        { ...params, limit: query.limit },
        this.limits,
      ),
      bucketStarts(this.client, query.interval, query.range, query.tz, this.limits),
    ]);
    return {
      interval: query.interval,
      tz: query.tz,
      totals: { incidents: Number(totals?.incidents ?? 0), sessions: Number(totals?.sessions ?? 0), users: Number(totals?.users ?? 0) },
      series: fillBuckets(starts, series, (at, row) => ({
        at: new Date(at).toISOString(),
        incidents: Number(row?.incidents ?? 0),
        sessions: Number(row?.sessions ?? 0),
      })),
      incidents: await this.withBlastRadius(query, incidents),
    };
  }

  /**
   * Each incident's blast radius: the events of its session after the rotation that
   * spent the replayed token (the SessionRefreshed of generation replayed + 1) and
   * before the revocation. Whoever held the family's live token from that rotation on
   * may have been the thief, so these are what they may have done. The sessions' events
   * from their first rotation on are read in one query and cut per incident here.
   */
  private async withBlastRadius(query: ReuseIncidentsQuery, incidents: IncidentRow[]): Promise<ReuseIncident[]> {
    if (incidents.length === 0) return [];
    const rows = await runQuery<SessionEventRow>(
      this.client,
      // Not `AS session_id`: an alias is seen by WHERE, which would then compare text with UUIDs.
      `SELECT toString(event_id) AS id, toString(session_id) AS sid, type, occurred_at, step, status,
              if(type = 'SessionRefreshed', JSONExtractInt(data, 'generation'), -1) AS generation
       FROM events
       WHERE ${SCOPE_SQL} AND identifier IN {identifiers:Array(String)} AND session_id IN {sessions:Array(UUID)}
         AND occurred_at <= {last:DateTime64(3, 'UTC')}
       ORDER BY session_id, occurred_at, event_id
       LIMIT 1 BY event_id`,
      {
        ...scopeParams(query.scope),
        identifiers: [...new Set(incidents.map((incident) => incident.identifier))],
        sessions: [...new Set(incidents.map((incident) => incident.session_id))],
        last: clickHouseTime(Math.max(...incidents.map((incident) => Date.parse(fromClickHouseDateTime(incident.occurred_at))))),
      },
      this.limits,
    );
    const bySession = new Map<string, SessionEventRow[]>();
    for (const row of rows) {
      const list = bySession.get(row.sid) ?? [];
      list.push(row);
      bySession.set(row.sid, list);
    }
    return incidents.map((incident) => {
      const events = bySession.get(incident.session_id) ?? [];
      const replayedGeneration = Number(incident.replayed_generation);
      return {
        eventId: incident.id,
        occurredAt: fromClickHouseDateTime(incident.occurred_at),
        env: incident.env,
        identifier: incident.identifier,
        sessionId: incident.session_id,
        replayedGeneration,
        currentGeneration: Number(incident.current_generation),
        sinceSpentMs: incident.since_spent_ms === null ? null : Number(incident.since_spent_ms),
        blastRadius: blastRadiusOf(events, incident, replayedGeneration, query.maxEvents),
      };
    });
  }
}

const ENDS: ReadonlySet<string> = new Set(['RefreshTokenReused', 'SessionRevoked']);

/** Orders events as the log does: by time, then by id (UUIDv7, so by creation within a millisecond). */
const after = (event: SessionEventRow, at: string, id: string) => event.occurred_at > at || (event.occurred_at === at && event.id > id);

function blastRadiusOf(events: SessionEventRow[], incident: IncidentRow, replayedGeneration: number, maxEvents: number): BlastRadius {
  const rotation = events.find((event) => event.type === 'SessionRefreshed' && Number(event.generation) === replayedGeneration + 1);
  // Up to the incident; the SessionRevoked decided with it carries the same instant (and
  // ends the session: nothing is recorded on it after), so neither is in the radius. A
  // rotation the read model does not hold leaves the radius unknown: empty, `from` null.
  const inside = rotation
    ? events.filter((event) => !ENDS.has(event.type) && after(event, rotation.occurred_at, rotation.id) && !after(event, incident.occurred_at, incident.id))
    : [];
  return {
    rotationEventId: rotation?.id ?? null,
    from: rotation ? fromClickHouseDateTime(rotation.occurred_at) : null,
    to: fromClickHouseDateTime(incident.occurred_at),
    eventCount: inside.length,
    events: inside.slice(0, maxEvents).map((event) => ({
      id: event.id,
      type: event.type,
      occurredAt: fromClickHouseDateTime(event.occurred_at),
      name: event.type === 'SessionActivityRecorded' ? event.step : null,
      status: event.type === 'SessionActivityRecorded' ? event.status : null,
    })),
    truncated: inside.length > maxEvents,
  };
}
