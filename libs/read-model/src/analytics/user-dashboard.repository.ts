import { ClickHouseClient } from '@clickhouse/client';
import {
  ACTIVITY,
  BucketInterval,
  QueryLimits,
  RANGE_SQL,
  TimeRange,
  bucketSql,
  bucketStarts,
  fillBuckets,
  rangeParams,
  ratio,
  runQuery,
} from './analytics-query';
import { UserKey } from './user-profile.repository';

export interface UserDashboardQuery {
  key: UserKey;
  range: TimeRange;
  interval: BucketInterval;
  tz: string;
}

export interface UserDashboard {
  totals: {
    events: number;
    activities: number;
    sessions: number;
    success: number;
    errors: number;
    successRate: number;
    errorRate: number;
    latencyP50Ms: number | null;
    latencyP95Ms: number | null;
  };
  activity: Array<{ at: string; count: number }>;
  latency: Array<{ at: string; p50Ms: number | null; p95Ms: number | null }>;
  outcomes: Array<{ at: string; success: number; error: number; other: number }>;
  /** Activity per hour of the day (0–23) in the time zone. */
  peakHours: Array<{ hour: number; count: number }>;
}

interface BucketRow {
  at: number;
  activities: number;
  success: number;
  error: number;
  p50: number | null;
  p95: number | null;
}

/**
 * One user's events in the range, each once: the user's rows are contiguous in the
 * sort key, so deduplicating them first (`LIMIT 1 BY event_id`) is cheap.
 */
const USER_EVENTS = `(SELECT event_id, type, session_id, occurred_at, status, latency_ms FROM events
   WHERE product = {product:String} AND env = {env:String} AND tag = {tag:String} AND identifier = {identifier:String} AND ${RANGE_SQL}
   LIMIT 1 BY event_id)`;

/** Activity, latency (p50/p95), outcomes and peak hours of one user. */
export class UserDashboardRepository {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly limits: QueryLimits,
  ) {}

  async build(query: UserDashboardQuery): Promise<UserDashboard> {
    const params = { ...query.key, ...rangeParams(query.range), tz: query.tz };
    const [totals, buckets, hours, starts] = await Promise.all([
      runQuery<{ events: number; activities: number; sessions: number; success: number; error: number; p50: number | null; p95: number | null }>(
        this.client,
        `SELECT count() AS events, countIf(type = '${ACTIVITY}') AS activities, uniqExact(session_id) AS sessions,
                countIf(type = '${ACTIVITY}' AND status = 'success') AS success, countIf(type = '${ACTIVITY}' AND status = 'error') AS error,
                quantileExactIf(0.5)(latency_ms, type = '${ACTIVITY}' AND latency_ms IS NOT NULL) AS p50,
                quantileExactIf(0.95)(latency_ms, type = '${ACTIVITY}' AND latency_ms IS NOT NULL) AS p95
         FROM ${USER_EVENTS}`,
        params,
        this.limits,
      ),
      runQuery<BucketRow>(
        this.client,
        `SELECT toUnixTimestamp(${bucketSql(query.interval)}) * 1000 AS at, count() AS activities,
                countIf(status = 'success') AS success, countIf(status = 'error') AS error,
                quantileExactIf(0.5)(latency_ms, latency_ms IS NOT NULL) AS p50,
                quantileExactIf(0.95)(latency_ms, latency_ms IS NOT NULL) AS p95
         FROM ${USER_EVENTS} WHERE type = '${ACTIVITY}'
         GROUP BY at ORDER BY at`,
        params,
        this.limits,
      ),
      runQuery<{ hour: number; count: number }>(
        this.client,
        `SELECT toHour(occurred_at, {tz:String}) AS hour, count() AS count
         FROM ${USER_EVENTS} WHERE type = '${ACTIVITY}' GROUP BY hour ORDER BY hour`,
        params,
        this.limits,
      ),
      bucketStarts(this.client, query.interval, query.range, query.tz, this.limits),
    ]);
    const [total] = totals;
    const activities = Number(total.activities);
    const success = Number(total.success);
    const errors = Number(total.error);
    const series = fillBuckets(starts, buckets, (at, row) => ({ at: new Date(at).toISOString(), row }));
    return {
      totals: {
        events: Number(total.events),
        activities,
        sessions: Number(total.sessions),
        success,
        errors,
        successRate: ratio(success, activities),
        errorRate: ratio(errors, activities),
        latencyP50Ms: nullableNumber(activities > 0 ? total.p50 : null),
        latencyP95Ms: nullableNumber(activities > 0 ? total.p95 : null),
      },
      activity: series.map(({ at, row }) => ({ at, count: Number(row?.activities ?? 0) })),
      latency: series.map(({ at, row }) => ({ at, p50Ms: nullableNumber(row?.p50 ?? null), p95Ms: nullableNumber(row?.p95 ?? null) })),
      outcomes: series.map(({ at, row }) => {
        const count = Number(row?.activities ?? 0);
        const ok = Number(row?.success ?? 0);
        const error = Number(row?.error ?? 0);
        return { at, success: ok, error, other: count - ok - error };
      }),
      peakHours: hoursOfDay(hours),
    };
  }
}

export function hoursOfDay(rows: Array<{ hour: number; count: number }>): Array<{ hour: number; count: number }> {
  const byHour = new Map(rows.map((row) => [Number(row.hour), Number(row.count)]));
  return Array.from({ length: 24 }, (_, hour) => ({ hour, count: byHour.get(hour) ?? 0 }));
}

function nullableNumber(value: number | string | null): number | null {
  if (value === null) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}
