import { ClickHouseClient } from '@clickhouse/client';
import { QueryLimits, clickHouseTime, isoOf, runQuery } from './analytics-query';
import { SESSION_LIVE_SQL, USER_STATUS_SQL, UserStatus, sessionsSubquery } from './user-status';

export interface UserKey {
  product: string;
  env: string;
  tag: string;
  identifier: string;
}

export interface UserSession {
  sessionId: string;
  startedAt: string;
  /** When it ended (revoked) or ends (its refresh lifetime), null while its start is not projected. */
  endsAt: string | null;
  revokedAt: string | null;
  lastEventAt: string;
  active: boolean;
  /** From its first to its last event. */
  durationMs: number;
  eventCount: number;
}

export interface UserProfileData {
  identifier: string;
  env: string;
  firstSeen: string;
  lastSeen: string;
  status: UserStatus;
  sessionCount: number;
  /** Newest first, at most the requested number. */
  sessions: UserSession[];
  /** The latest session's sealed data (compact JWE), for the caller to open or withhold. */
  latestSealedData: string | null;
}

interface SessionRow {
  session_id: string;
  started_at: string;
  ends_at: string | null;
  revoked_at: string | null;
  last_at: string;
  active: number;
  duration_ms: number;
  event_count: number;
}

interface SummaryRow {
  first_seen: string;
  last_seen: string;
  sessions: number;
  status: UserStatus;
}

const USER_WHERE = `product = {product:String} AND env = {env:String} AND tag = {tag:String} AND identifier = {identifier:String}`;

/** One user's profile: their sessions from the sessions table, event counts from their (contiguous) events. */
export class UserProfileRepository {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly limits: QueryLimits,
  ) {}

  async find(key: UserKey, now: number, maxSessions: number): Promise<UserProfileData | undefined> {
    const params = { ...key, now: clickHouseTime(now), limit: maxSessions };
    const [summary, sessions, sealed] = await Promise.all([
      runQuery<SummaryRow>(
        this.client,
        `SELECT min(first_at) AS first_seen, max(last_at) AS last_seen, count() AS sessions, ${USER_STATUS_SQL} AS status
         FROM (${sessionsSubquery(USER_WHERE)})`,
        params,
        this.limits,
      ),
      runQuery<SessionRow>(
        this.client,
        `SELECT toString(s.session_id) AS session_id, coalesce(s.started_at, s.first_at) AS started_at,
                if(s.revoked_at IS NULL, s.ends_at, s.revoked_at) AS ends_at, s.revoked_at AS revoked_at, s.last_at AS last_at,
                ${SESSION_LIVE_SQL} AS active,
                toUnixTimestamp64Milli(s.last_at) - toUnixTimestamp64Milli(coalesce(s.started_at, s.first_at)) AS duration_ms,
                e.event_count AS event_count
         FROM (${sessionsSubquery(USER_WHERE)}) AS s
         LEFT JOIN (SELECT session_id, uniqExact(event_id) AS event_count FROM events WHERE ${USER_WHERE} GROUP BY session_id) AS e
           ON e.session_id = s.session_id
         ORDER BY started_at DESC, session_id DESC
         LIMIT {limit:UInt32}`,
        params,
        this.limits,
      ),
      runQuery<{ sealed: string }>(
        this.client,
        `SELECT JSONExtractString(data, 'sealedData') AS sealed FROM events
         WHERE ${USER_WHERE} AND type = 'SessionStarted'
         ORDER BY occurred_at DESC, event_id DESC LIMIT 1`,
        params,
        this.limits,
      ),
    ]);
    const [user] = summary;
    if (!user || Number(user.sessions) === 0) return undefined;
    return {
      identifier: key.identifier,
      env: key.env,
      firstSeen: isoOf(user.first_seen)!,
      lastSeen: isoOf(user.last_seen)!,
      status: user.status,
      sessionCount: Number(user.sessions),
      sessions: sessions.map((row) => ({
        sessionId: row.session_id,
        startedAt: isoOf(row.started_at)!,
        endsAt: isoOf(row.ends_at),
        revokedAt: isoOf(row.revoked_at),
        lastEventAt: isoOf(row.last_at)!,
        active: Boolean(Number(row.active)),
        durationMs: Number(row.duration_ms),
        eventCount: Number(row.event_count),
      })),
      latestSealedData: sealed[0]?.sealed || null,
    };
  }
}
