import { ClickHouseClient } from '@clickhouse/client';
import {
  ACTIVITY,
  AnalyticsScope,
  PathShape,
  QUARTER_RANGE_SQL,
  QueryLimits,
  RANGE_SQL,
  TIME_SCOPE_SQL,
  TimeRange,
  isoOf,
  pathNodeUsersSql,
  pathParams,
  rangeParams,
  runQuery,
} from '@waymark/read-model';

export interface DrillUser {
  identifier: string;
  env: string;
  /** The user's last activity record that matched, in the range. */
  lastAt: string;
}

export interface DrillUsers {
  /** How many users match in all; `users` holds the first `limit` of them, latest first. */
  total: number;
  users: DrillUser[];
}

const SCOPE_SQL = `product = {product:String} AND tag = {tag:String} AND env IN {envs:Array(String)} AND type = '${ACTIVITY}'`;

/**
 * Who is behind a number of the paths and funnel views. These read `events`, which has
 * identifiers (the tag-wide tables keep a 64-bit hash of them); grouping by user makes
 * duplicates not yet merged harmless (a maximum, a funnel level).
 */
export class UsersDrillReader {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly limits: QueryLimits,
  ) {}

  async withStep(scope: AnalyticsScope, range: TimeRange, step: string, limit: number): Promise<DrillUsers> {
    return this.page(
      `SELECT env, identifier, max(occurred_at) AS last_at
       FROM events
       WHERE ${SCOPE_SQL} AND ${RANGE_SQL} AND step = {step:String}
       GROUP BY env, identifier`,
      { ...params(scope, range), step, limit },
    );
  }

  /**
   * The users behind one node of the paths view: those with a path (built exactly as
   * `PathsRepository` builds them, from `pathNodeUsersSql`) through `step` at `depth`.
   * Their `total` is the node's `users` in the paths answer with the same shape. The
   * paths read 64-bit user hashes (`activity_by_user`); the identifiers come from
   * `events`, matched on the same hash, with the user's last record of `step` in the range.
   */
  async atPathNode(shape: PathShape, step: string, depth: number, limit: number): Promise<DrillUsers> {
    return this.page(
      `SELECT env, identifier, max(occurred_at) AS last_at
       FROM events
       WHERE ${SCOPE_SQL} AND ${RANGE_SQL} AND step = {step:String}
         AND identifier != '' AND cityHash64(env, identifier) IN (${pathNodeUsersSql(shape)})
       GROUP BY env, identifier`,
      { ...pathParams(shape), step, depth, limit },
    );
  }

  /**
   * The activity names of the range, most frequent first (at most 200): read from
   * `events_by_quarter`, one key range over a low-cardinality column, so a picker costs
   * far less than the paths query it would otherwise be taken from.
   */
  async stepNames(scope: AnalyticsScope, range: TimeRange): Promise<Array<{ step: string; records: number }>> {
    const rows = await runQuery<{ step: string; records: string }>(
      this.client,
      `SELECT step, count() AS records
       FROM events_by_quarter
       WHERE ${TIME_SCOPE_SQL} AND ${QUARTER_RANGE_SQL} AND type = '${ACTIVITY}' AND step != ''
       GROUP BY step
       ORDER BY records DESC, step
       LIMIT 200`,
      params(scope, range),
      this.limits,
    );
    return rows.map((row) => ({ step: row.step, records: Number(row.records) }));
  }

  /** Users whose windowFunnel level is exactly `reached`: they took steps 1..reached and not the next. */
  async atFunnelLevel(
    scope: AnalyticsScope,
    range: TimeRange,
    steps: readonly string[],
    windowSeconds: number,
    reached: number,
    limit: number,
  ): Promise<DrillUsers> {
    // One placeholder per step (the count comes from the validated list); the names are bound.
    const conditions = steps.map((_, index) => `step = {s${index}:String}`).join(', ');
    const stepParams = Object.fromEntries(steps.map((step, index) => [`s${index}`, step]));
    return this.page(
      `SELECT env, identifier, max(occurred_at) AS last_at
       FROM events
       WHERE ${SCOPE_SQL} AND ${RANGE_SQL} AND step IN {steps:Array(String)}
       GROUP BY env, identifier
       HAVING windowFunnel({window:UInt64})(toDateTime(occurred_at), ${conditions}) = {reached:UInt8}`,
      { ...params(scope, range), ...stepParams, steps: [...steps], window: windowSeconds, reached, limit },
    );
  }

  private async page(grouped: string, values: Record<string, unknown>): Promise<DrillUsers> {
    const rows = await runQuery<{ env: string; identifier: string; last_at: string; total: string }>(
      this.client,
      `SELECT env, identifier, last_at, count() OVER () AS total
       FROM (${grouped})
       ORDER BY last_at DESC, identifier
       LIMIT {limit:UInt32}`,
      values,
      this.limits,
    );
    return {
      total: rows.length > 0 ? Number(rows[0].total) : 0,
      users: rows.map((row) => ({ identifier: row.identifier, env: row.env, lastAt: isoOf(row.last_at)! })),
    };
  }
}

function params(scope: AnalyticsScope, range: TimeRange): Record<string, unknown> {
  return { product: scope.product, tag: scope.tag, envs: [...scope.envs], ...rangeParams(range) };
}
