import { ClickHouseClient } from '@clickhouse/client';
import {
  ACTIVITY,
  AnalyticsScope,
  QUARTER_RANGE_SQL,
  QueryLimits,
  TIME_SCOPE_SQL,
  TimeRange,
  rangeParams,
  ratio,
  runQuery,
  scopeParams,
} from './analytics-query';

export const MAX_FUNNEL_STEPS = 10;

export interface FunnelQuery {
  scope: AnalyticsScope;
  range: TimeRange;
  /** Activity names, in order; 2 to MAX_FUNNEL_STEPS. */
  steps: readonly string[];
  /** Conversion window in seconds, from a user's first step. */
  windowSeconds: number;
}

export interface FunnelStep {
  step: string;
  /** Users who reached this step (and every one before it, in order, within the window). */
  users: number;
  conversionFromStart: number;
  conversionFromPrevious: number;
  /** Users who reached the previous step but not this one. */
  dropOff: number;
}

export interface Funnel {
  windowSeconds: number;
  steps: FunnelStep[];
}

/**
 * Ordered funnels with ClickHouse's `windowFunnel`: per user, the furthest step reached
 * in order within the window. A duplicated event cannot raise that level, so no
 * deduplication is needed here. `windowFunnel` takes DateTime (seconds), not
 * DateTime64, hence `toDateTime(occurred_at)`. It reads `events_by_quarter` (sorted by
 * time, users as 64-bit hashes), so a period is one range of the key. One condition per step: the SQL has
 * as many `{sN:String}` placeholders as steps, the names themselves are parameters.
 */
export class FunnelRepository {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly limits: QueryLimits,
  ) {}

  async build(query: FunnelQuery): Promise<Funnel> {
    const conditions = query.steps.map((_, index) => `step = {s${index}:String}`).join(', ');
    const stepParams = Object.fromEntries(query.steps.map((step, index) => [`s${index}`, step]));
    const rows = await runQuery<{ level: number; users: number }>(
      this.client,
      `SELECT level, count() AS users
       FROM (
         SELECT user_hash, windowFunnel({window:UInt64})(toDateTime(occurred_at), ${conditions}) AS level
         FROM events_by_quarter
         WHERE ${TIME_SCOPE_SQL} AND ${QUARTER_RANGE_SQL} AND type = '${ACTIVITY}' AND step IN {steps:Array(String)}
         GROUP BY user_hash
       )
       WHERE level > 0
       GROUP BY level`,
      { ...scopeParams(query.scope), ...rangeParams(query.range), ...stepParams, steps: [...query.steps], window: query.windowSeconds },
      this.limits,
    );
    const byLevel = new Map(rows.map((row) => [Number(row.level), Number(row.users)]));
    // Users at level k also reached every step before k.
    const reached = query.steps.map((_, index) => {
      let users = 0;
      for (let level = index + 1; level <= query.steps.length; level += 1) users += byLevel.get(level) ?? 0;
      return users;
    });
    return {
      windowSeconds: query.windowSeconds,
      steps: query.steps.map((step, index) => ({
        step,
        users: reached[index],
        conversionFromStart: index === 0 ? (reached[0] > 0 ? 1 : 0) : ratio(reached[index], reached[0]),
        conversionFromPrevious: index === 0 ? (reached[0] > 0 ? 1 : 0) : ratio(reached[index], reached[index - 1]),
        dropOff: index === 0 ? 0 : reached[index - 1] - reached[index],
      })),
    };
  }
}
