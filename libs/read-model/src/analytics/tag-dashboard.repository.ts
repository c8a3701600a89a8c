import { ClickHouseClient } from '@clickhouse/client';
import {
  AnalyticsScope,
  BucketInterval,
  QueryLimits,
  END_QUARTERS_SQL,
  INNER_QUARTERS_SQL,
  TIME_SCOPE_SQL,
  TimeRange,
  bucketSql,
  bucketStarts,
  clickHouseTime,
  fillBuckets,
  rangeParams,
  ratio,
  runQuery,
  scopeParams,
} from './analytics-query';
import { EVENT_KINDS } from '../schema/event-kinds';
import { hoursOfDay } from './user-dashboard.repository';
import { SESSION_LIVE_SQL, USER_STATUS_SQL } from './user-status';

export interface TagDashboardQuery {
  scope: AnalyticsScope;
  range: TimeRange;
  interval: BucketInterval;
  tz: string;
  now: number;
}

export interface ActiveUsers {
  current: number;
  previous: number;
  /** Percent change against the previous period; null when the previous period had no users. */
  changePct: number | null;
}

export interface TagDashboard {
  users: { total: number; active: number; inactive: number; expired: number; newToday: number; newThisWeek: number };
  sessions: { inRange: number; active: number; averagePerUser: number };
  /** Distinct users with an event in the last 1, 7 and 30 days before `to`, against the period before. */
  dau: ActiveUsers;
  wau: ActiveUsers;
  mau: ActiveUsers;
  sessionsOverTime: Array<{ at: string; sessions: number; users: number }>;
  /** Activity per hour of the day (0–23) in the time zone. */
  peakHours: Array<{ hour: number; count: number }>;
  envs: Array<{ env: string; users: number; sessions: number; events: number }>;
  /** Of sessions started in the range, from first to last event. */
  sessionDurationMs: { p50: number; p90: number; p99: number; average: number };
  activity: { total: number; success: number; errors: number; other: number; successRate: number; errorRate: number };
  /** Session lifecycle events per bucket. Verify writes no event, so it cannot be counted. */
  lifecycle: Array<{ at: string; start: number; refresh: number; revoke: number; extend: number }>;
}

/** A count of the range's events: per env (env set, the rest 0), or per (bucket, hour, kind) (env ''). */
interface EventCell {
  at: number;
  hour: number;
  env: string;
  /** `events_by_quarter.kind` (migrations 0008, 0011). */
  kind: number;
  events: number;
}

/**
 * The tag dashboard in a few reads, none of them over the raw events: user statuses
 * and first seen, sessions in the range (counts, durations, series, per env) from the
 * sessions table; DAU/WAU/MAU from `user_days` (migration 0007); and one
 * pass over `events_by_quarter` in the range (migration 0011), grouped by (quarter-hour,
 * kind of event) and by env with `FINAL` so a duplicate not merged yet counts once, from
 * which the remaining panels are summed here.
 */
export class TagDashboardRepository {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly limits: QueryLimits,
  ) {}

  async build(query: TagDashboardQuery): Promise<TagDashboard> {
    const params = {
      ...scopeParams(query.scope),
      ...rangeParams(query.range),
      tz: query.tz,
      now: clickHouseTime(query.now),
      ref: clickHouseTime(query.range.to),
    };
    const sessionScope = `product = {product:String} AND env IN {envs:Array(String)} AND tag = {tag:String}`;
    const [users, sessionRows, actives, cells, starts] = await Promise.all([
      runQuery<{ total: number; active: number; inactive: number; expired: number; new_today: number; new_week: number; live_sessions: number }>(
        this.client,
        `SELECT count() AS total, countIf(status = 'active') AS active, countIf(status = 'inactive') AS inactive,
                countIf(status = 'expired') AS expired,
                countIf(first_seen >= toStartOfDay({now:DateTime64(3, 'UTC')}, {tz:String})) AS new_today,
                countIf(first_seen >= toDateTime(toMonday({now:DateTime64(3, 'UTC')}, {tz:String}), {tz:String})) AS new_week,
                sum(live) AS live_sessions
         FROM (
           SELECT user_hash, min(first_at) AS first_seen, ${USER_STATUS_SQL} AS status, countIf(${SESSION_LIVE_SQL}) AS live
           FROM (${mergedSessions(sessionScope)})
           GROUP BY user_hash
         )`,
        params,
        this.limits,
      ),
      runQuery<{ env: string; at: number; sessions: number; users: number; p50: number; p90: number; p99: number; average: number }>(
        this.client,
        // One pass, three groupings: per env (at = 0), the total (env = '', at = 0) and
        // per bucket (env = ''). No env is empty and no bucket starts in 1970.
        `SELECT env, at, count() AS sessions, uniqExact(user_hash) AS users,
                quantilesExact(0.5, 0.9, 0.99)(duration)[1] AS p50, quantilesExact(0.5, 0.9, 0.99)(duration)[2] AS p90,
                quantilesExact(0.5, 0.9, 0.99)(duration)[3] AS p99, avg(duration) AS average
         FROM (
           SELECT env, user_hash, coalesce(started_at, first_at) AS started,
                  toUnixTimestamp(${bucketSql(query.interval, 'started')}) * 1000 AS at,
                  toUnixTimestamp64Milli(last_at) - toUnixTimestamp64Milli(started) AS duration
           FROM (${mergedSessions(sessionScope)})
           WHERE started >= {from:DateTime64(3, 'UTC')} AND started < {to:DateTime64(3, 'UTC')}
         )
         GROUP BY GROUPING SETS ((env), (), (at))
         ORDER BY env, at`,
        params,
        this.limits,
      ),
      runQuery<Record<'d' | 'd_prev' | 'w' | 'w_prev' | 'm' | 'm_prev', number>>(
        this.client,
        // From user_days (migration 0007): per user, whether any of their days has an
        // event in each window, then the users in each window.
        `SELECT countIf(d) AS d, countIf(d_prev) AS d_prev, countIf(w) AS w, countIf(w_prev) AS w_prev, countIf(m) AS m, countIf(m_prev) AS m_prev
         FROM (
           SELECT user_hash, ${ACTIVE_WINDOWS.map(([name, from, to]) => `max(${dayHasEventIn(from, to)}) AS ${name}`).join(', ')}
           FROM user_days
           WHERE product = {product:String} AND tag = {tag:String} AND env IN {envs:Array(String)}
             AND day >= toDate({ref:DateTime64(3, 'UTC')} - toIntervalDay(60), 'UTC') AND day <= toDate({ref:DateTime64(3, 'UTC')}, 'UTC')
           GROUP BY user_hash
         )`,
        params,
        this.limits,
      ),
      runQuery<EventCell>(
        this.client,
        // The counts per UTC quarter-hour (countsPerQuarter), bucketed here in the time zone.
        `SELECT env, if(env = '', toUnixTimestamp(${bucketSql(query.interval, 'quarter')}) * 1000, 0) AS at,
                if(env = '', toHour(quarter, {tz:String}), 0) AS hour, kind, sum(events) AS events
         FROM (
           ${countsPerQuarter(INNER_QUARTERS_SQL)}
           UNION ALL
           ${countsPerQuarter(END_QUARTERS_SQL)}
         )
         GROUP BY env, at, hour, kind`,
        params,
        this.limits,
      ),
      bucketStarts(this.client, query.interval, query.range, query.tz, this.limits),
    ]);
    const [user] = users;
    const sessions = sessionRows.filter((row) => row.env !== '' || Number(row.at) === 0);
    const sessionBuckets = sessionRows.filter((row) => row.env === '' && Number(row.at) !== 0);
    const total = sessions.find((row) => row.env === '') ?? { sessions: 0, users: 0, p50: 0, p90: 0, p99: 0, average: 0 };
    const [active] = actives;

    const lifecycle = new Map<number, { start: number; refresh: number; revoke: number; extend: number }>();
    const hours = Array.from({ length: 24 }, () => 0);
    const eventsByEnv = new Map<string, number>();
    const activity = { total: 0, success: 0, errors: 0 };
    for (const cell of cells) {
      const count = Number(cell.events);
      const at = Number(cell.at);
      if (cell.env !== '') {
        eventsByEnv.set(cell.env, (eventsByEnv.get(cell.env) ?? 0) + count);
        continue;
      }
      const kind = Number(cell.kind);
      if (kind === EVENT_KINDS.success || kind === EVENT_KINDS.error || kind === EVENT_KINDS.otherActivity) {
        hours[Number(cell.hour)] += count;
        activity.total += count;
        if (kind === EVENT_KINDS.success) activity.success += count;
        if (kind === EVENT_KINDS.error) activity.errors += count;
        continue;
      }
      const ops = lifecycle.get(at) ?? { start: 0, refresh: 0, revoke: 0, extend: 0 };
      const op = LIFECYCLE_OPS[kind];
      if (op) ops[op] += count;
      lifecycle.set(at, ops);
    }
    const envs = [...new Set([...sessions.filter((row) => row.env !== '').map((row) => row.env), ...eventsByEnv.keys()])].sort();
    return {
      users: {
        total: Number(user.total),
        active: Number(user.active),
        inactive: Number(user.inactive),
        expired: Number(user.expired),
        newToday: Number(user.new_today),
        newThisWeek: Number(user.new_week),
      },
      sessions: {
        inRange: Number(total.sessions),
        active: Number(user.live_sessions),
        averagePerUser: Number(total.users) > 0 ? Math.round((Number(total.sessions) / Number(total.users)) * 100) / 100 : 0,
      },
      dau: change(active.d, active.d_prev),
      wau: change(active.w, active.w_prev),
      mau: change(active.m, active.m_prev),
      sessionsOverTime: fillBuckets(starts, sessionBuckets, (at, row) => ({
        at: new Date(at).toISOString(),
        sessions: Number(row?.sessions ?? 0),
        users: Number(row?.users ?? 0),
      })),
      peakHours: hoursOfDay(hours.map((count, hour) => ({ hour, count }))),
      envs: envs.map((env) => {
        const row = sessions.find((candidate) => candidate.env === env);
        return { env, users: Number(row?.users ?? 0), sessions: Number(row?.sessions ?? 0), events: eventsByEnv.get(env) ?? 0 };
      }),
      sessionDurationMs: { p50: Number(total.p50), p90: Number(total.p90), p99: Number(total.p99), average: Math.round(Number(total.average) || 0) },
      activity: {
        ...activity,
        other: activity.total - activity.success - activity.errors,
        successRate: ratio(activity.success, activity.total),
        errorRate: ratio(activity.errors, activity.total),
      },
      lifecycle: starts.map((at) => ({ at: new Date(at).toISOString(), ...(lifecycle.get(at) ?? { start: 0, refresh: 0, revoke: 0, extend: 0 }) })),
    };
  }
}

/**
 * The events of a part of the range (`INNER_QUARTERS_SQL` or `END_QUARTERS_SQL`), counted
 * per UTC quarter-hour and kind, and per env, with `FINAL` so a duplicate not merged yet
 * counts once. The caller buckets the quarters in the time zone: every zone's offset is
 * a whole number of quarter-hours, so this is exact, and the costly time-zone arithmetic
 * runs on a few thousand rows instead of every event.
 *
 * Two grouping sets in the one pass: (quarter, kind) for the series, hours and activity,
 * and (env) for the per-env totals, which are all that needs the env. Grouping every
 * event by (quarter, env, kind) cost about twice as much: the env key (LowCardinality)
 * tripled the groups and hashing it per row was most of the pass. In the (env) rows
 * quarter and kind are their defaults, and in the others env is '' (no env is empty):
 * the caller tells them apart by env. `range` is fixed SQL text.
 */
function countsPerQuarter(range: string): string {
  return `SELECT quarter, kind, env, count() AS events
          FROM events_by_quarter FINAL
          WHERE ${TIME_SCOPE_SQL} AND ${range}
          GROUP BY GROUPING SETS ((quarter, kind), (env))`;
}

/**
 * One row per session with its rows merged (min/max, as `FINAL` would), grouped by
 * session id rather than read with `FINAL`: faster here, and the user comes out as one
 * 64-bit hash (`events_by_quarter`'s) instead of two strings to group by. `where` is
 * fixed SQL text.
 */
function mergedSessions(where: string): string {
  return `SELECT any(env) AS env, any(user_hash) AS user_hash, min(first_at) AS first_at, max(last_at) AS last_at,
                 min(started_at) AS started_at, max(ends_at) AS ends_at, min(revoked_at) AS revoked_at
          FROM (
            SELECT session_id, env, cityHash64(env, identifier) AS user_hash, first_at, last_at, started_at, ends_at, revoked_at
            FROM sessions
            WHERE ${where}
          )
          GROUP BY session_id`;
}

/** DAU/WAU/MAU windows: name, start and end in days before `to` (a fixed list). */
const ACTIVE_WINDOWS: ReadonlyArray<readonly [string, number, number]> = [
  ['d', 1, 0],
  ['d_prev', 2, 1],
  ['w', 7, 0],
  ['w_prev', 14, 7],
  ['m', 30, 0],
  ['m_prev', 60, 30],
];

/**
 * A user_days row has an event in [to - from days, to - to days) when its first or its
 * last event does: both are events, less than a day apart, and a window is at least a
 * day long, so it cannot fall strictly between them (see migration 0007).
 */
function dayHasEventIn(fromDays: number, toDays: number): string {
  const start = `{ref:DateTime64(3, 'UTC')} - toIntervalDay(${fromDays})`;
  const end = toDays === 0 ? `{ref:DateTime64(3, 'UTC')}` : `{ref:DateTime64(3, 'UTC')} - toIntervalDay(${toDays})`;
  return `((first_at >= ${start} AND first_at < ${end}) OR (last_at >= ${start} AND last_at < ${end}))`;
}

const LIFECYCLE_OPS: Record<number, 'start' | 'refresh' | 'revoke' | 'extend'> = {
  [EVENT_KINDS.start]: 'start',
  [EVENT_KINDS.refresh]: 'refresh',
  [EVENT_KINDS.revoke]: 'revoke',
  [EVENT_KINDS.extend]: 'extend',
};

function change(current: number, previous: number): ActiveUsers {
  const now = Number(current);
  const before = Number(previous);
  return { current: now, previous: before, changePct: before > 0 ? Math.round(((now - before) / before) * 1000) / 10 : null };
}
