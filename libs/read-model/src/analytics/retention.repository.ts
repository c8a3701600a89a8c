import { ClickHouseClient } from '@clickhouse/client';
import { AnalyticsScope, QueryLimits, TIME_SCOPE_SQL, TimeRange, clickHouseTime, rangeParams, ratio, runQuery, scopeParams } from './analytics-query';

/** `retention` takes at most 32 conditions: day 0 and up to 31 later days. */
export const MAX_RETENTION_DAYS = 31;

export interface RetentionQuery {
  scope: AnalyticsScope;
  /** Cohorts are the days (in `tz`) of users' first session within this range. */
  range: TimeRange;
  /** Report returns on days 0..days after the cohort day. */
  days: number;
  tz: string;
  /** Days after this are not over yet: their cells are null. */
  now: number;
}

export interface RetentionCohort {
  /** The cohort's day, YYYY-MM-DD in the time zone. */
  cohort: string;
  users: number;
  /** `returned[n]`: users of the cohort with an event on day n (day 0 is everyone); null for days not over yet. */
  returned: Array<number | null>;
  rates: Array<number | null>;
}

export interface Retention {
  days: number;
  tz: string;
  cohorts: RetentionCohort[];
}

interface Row {
  cohort: string;
  users: number;
  returned: number[];
  last_day: string;
}

/**
 * Day-N retention with ClickHouse's `retention`: a user belongs to the cohort of the
 * day of their first event ever (their first session), and returns on day n when they
 * have any event that day. Days are calendar days in the caller's time zone. Counting
 * distinct (user, day) pairs makes duplicate events harmless.
 */
export class RetentionRepository {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly limits: QueryLimits,
  ) {}

  async build(query: RetentionQuery): Promise<Retention> {
    const conditions = Array.from({ length: query.days + 1 }, (_, n) => `d.day = f.cohort + ${n}`).join(', ');
    const rows = await runQuery<Row>(
      this.client,
      `WITH toDate({from:DateTime64(3, 'UTC')}, {tz:String}) AS first_cohort,
            toDate({to:DateTime64(3, 'UTC')} - toIntervalMillisecond(1), {tz:String}) AS last_cohort,
            toDate(
              least({to:DateTime64(3, 'UTC')} + toIntervalDay({days:UInt32}), {now:DateTime64(3, 'UTC')}) - toIntervalMillisecond(1),
              {tz:String}
            ) AS data_end
       SELECT toString(f.cohort) AS cohort, count() AS users, sumForEach(r) AS returned, toString(any(data_end)) AS last_day
       FROM (
         SELECT f.user_hash, f.cohort, retention(${conditions}) AS r
         FROM (
           SELECT cityHash64(env, identifier) AS user_hash, toDate(min(first_at), {tz:String}) AS cohort
           FROM sessions
           WHERE product = {product:String} AND env IN {envs:Array(String)} AND tag = {tag:String}
           GROUP BY env, identifier
           HAVING cohort >= first_cohort AND cohort <= last_cohort
         ) AS f
         INNER JOIN (
           SELECT DISTINCT user_hash, toDate(occurred_at, {tz:String}) AS day
           FROM events_by_quarter
           WHERE ${TIME_SCOPE_SQL}
             -- quarter (the key's time column, migration 0011) selects the granules
             AND quarter >= toStartOfFifteenMinutes({from:DateTime64(3, 'UTC')} - toIntervalDay(1))
             AND quarter < {to:DateTime64(3, 'UTC')} + toIntervalDay({days:UInt32} + 1)
             AND occurred_at >= {from:DateTime64(3, 'UTC')} - toIntervalDay(1)
             AND occurred_at < {to:DateTime64(3, 'UTC')} + toIntervalDay({days:UInt32} + 1)
         ) AS d ON d.user_hash = f.user_hash
         GROUP BY f.user_hash, f.cohort
       ) AS f
       GROUP BY f.cohort
       ORDER BY f.cohort`,
      { ...scopeParams(query.scope), ...rangeParams(query.range), tz: query.tz, days: query.days, now: clickHouseTime(query.now) },
      this.limits,
    );
    return {
      days: query.days,
      tz: query.tz,
      cohorts: rows.map((row) => {
        const cohortDay = Date.parse(`${row.cohort}T00:00:00Z`);
        const lastDay = Date.parse(`${row.last_day}T00:00:00Z`);
        const returned = row.returned.map((count, n) => (cohortDay + n * 86_400_000 <= lastDay ? Number(count) : null));
        return {
          cohort: row.cohort,
          users: Number(row.users),
          returned,
          rates: returned.map((count) => (count === null ? null : ratio(count, Number(row.users)))),
        };
      }),
    };
  }
}
