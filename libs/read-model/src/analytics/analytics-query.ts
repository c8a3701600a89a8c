import { ClickHouseClient, ClickHouseError } from '@clickhouse/client';
import { DomainError } from '@waymark/domain';
import { toClickHouseDateTime } from '../event-rows';

/**
 * What every analytics query is confined to: one product, the envs the caller may read
 * (already intersected with the API key's scope), one session tag.
 */
export interface AnalyticsScope {
  product: string;
  envs: readonly string[];
  tag: string;
}

/** A half-open time range [from, to) in Unix milliseconds. */
export interface TimeRange {
  from: number;
  to: number;
}

/** Per-query guards, from configuration: a runaway query is stopped, not waited for. */
export interface QueryLimits {
  maxExecutionSeconds: number;
  maxResultRows: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxExecutionSeconds: 10, maxResultRows: 100_000 };

/** Bucket sizes the time series accept; the SQL for each is fixed here, never built from input. */
export const BUCKET_INTERVALS = ['hour', 'day'] as const;
export type BucketInterval = (typeof BUCKET_INTERVALS)[number];

export const BUCKET_MS: Record<BucketInterval, number> = { hour: 3_600_000, day: 86_400_000 };

/** Start of the bucket holding `column`, in the caller's time zone (a query parameter). */
export function bucketSql(interval: BucketInterval, column = 'occurred_at'): string {
  return interval === 'hour' ? `toStartOfHour(${column}, {tz:String})` : `toStartOfDay(${column}, {tz:String})`;
}

/**
 * The scope over `events_by_quarter`, which holds user events only (spec events, with an
 * empty identifier, are not copied there). Always the same text; values are parameters.
 */
export const TIME_SCOPE_SQL = `product = {product:String} AND tag = {tag:String} AND env IN {envs:Array(String)}`;

export const RANGE_SQL = `occurred_at >= {from:DateTime64(3, 'UTC')} AND occurred_at < {to:DateTime64(3, 'UTC')}`;

/**
 * The range over `events_by_quarter` (migration 0011), whose key has `quarter` before
 * `occurred_at`: the `quarter` conditions select the range's granules, `RANGE_SQL`
 * makes its ends exact. An event in the range has `from`'s quarter ≤ its quarter ≤ its
 * time < `to`.
 */
const FROM_QUARTER = `toStartOfFifteenMinutes({from:DateTime64(3, 'UTC')})`;
const TO_QUARTER = `toStartOfFifteenMinutes({to:DateTime64(3, 'UTC')})`;

export const QUARTER_RANGE_SQL = `quarter >= ${FROM_QUARTER} AND quarter < {to:DateTime64(3, 'UTC')} AND ${RANGE_SQL}`;

/**
 * The range over `events_by_quarter` in two disjoint parts, for a count per quarter that
 * reads no `occurred_at` where it can: the quarters wholly inside the range, selected
 * on `quarter` alone, and the one or two quarters holding its ends, exact to the
 * millisecond. A duplicated event has one time, so both copies fall in the same part.
 */
export const INNER_QUARTERS_SQL = `quarter > ${FROM_QUARTER} AND quarter < ${TO_QUARTER}`;
export const END_QUARTERS_SQL = `quarter IN (${FROM_QUARTER}, ${TO_QUARTER}) AND ${RANGE_SQL}`;

/** `SessionActivityRecorded`, the calls made on a user's behalf. */
export const ACTIVITY = 'SessionActivityRecorded';

export function scopeParams(scope: AnalyticsScope): Record<string, unknown> {
  return { product: scope.product, envs: [...scope.envs], tag: scope.tag };
}

export function rangeParams(range: TimeRange): Record<string, unknown> {
  return { from: clickHouseTime(range.from), to: clickHouseTime(range.to) };
}

/** Unix ms → the `DateTime64(3, 'UTC')` text form query parameters take. */
export function clickHouseTime(epochMs: number): string {
  return toClickHouseDateTime(new Date(epochMs).toISOString());
}

/** ClickHouse's `DateTime64(3)` text (UTC) → ISO-8601; null stays null. */
export function isoOf(value: string | null): string | null {
  return value === null ? null : value.slice(0, 10) + 'T' + value.slice(11, 23) + 'Z';
}

/** Rounds a ratio for answers (4 decimals); 0 when there is nothing to divide. */
export function ratio(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : 0;
}

/**
 * Runs one read with the configured time and row guards. ClickHouse stopping a query
 * at its time limit becomes a 503 the caller can act on (narrow the range); other
 * errors stay internal.
 */
export async function runQuery<T>(client: ClickHouseClient, query: string, params: Record<string, unknown>, limits: QueryLimits): Promise<T[]> {
  try {
    const result = await client.query({ query: `${query}\n${guardSettings(limits)}`, query_params: params, format: 'JSONEachRow' });
    return await result.json<T>();
  } catch (error) {
    if (clickHouseErrorIs(error, 'TIMEOUT_EXCEEDED', '159')) {
      throw new DomainError('STORE_UNAVAILABLE', `the query took longer than ${limits.maxExecutionSeconds} s; narrow the time range`);
    }
    if (clickHouseErrorIs(error, 'TOO_MANY_ROWS_OR_BYTES', '396')) {
      throw new DomainError('STORE_UNAVAILABLE', `the answer exceeds ${limits.maxResultRows} rows; narrow the query`);
    }
    throw error;
  }
}

/**
 * By ClickHouse's name or code, not `instanceof`: chDB's connection raises the
 * `ClickHouseError` of its own copy of client-common, another class than this
 * package's, and without the type name (the row guard on chDB answered 500 before).
 */
function clickHouseErrorIs(error: unknown, type: string, code: string): boolean {
  if (error instanceof ClickHouseError && error.type === type) return true;
  const fields = error as { type?: unknown; code?: unknown } | null;
  return typeof fields === 'object' && fields !== null && (fields.type === type || String(fields.code) === code);
}

/**
 * The guards as the query's own SETTINGS clause rather than `clickhouse_settings`: the
 * chDB connection turns each of those into a separate `SET` statement run before the
 * query (~0.6 ms for these four, a tenth of a journey page), while over HTTP both are
 * the same. The values are the deployment's validated numbers, never request input.
 * 64-bit integers come back as JSON numbers: every count here is far below 2^53.
 */
function guardSettings(limits: QueryLimits): string {
  const seconds = Number(limits.maxExecutionSeconds);
  const rows = Number(limits.maxResultRows);
  if (!Number.isFinite(seconds) || seconds <= 0 || !Number.isInteger(rows) || rows <= 0) {
    throw new Error(`invalid analytics query limits: ${JSON.stringify(limits)}`);
  }
  return `SETTINGS max_execution_time = ${seconds}, max_result_rows = ${rows}, result_overflow_mode = 'throw', output_format_json_quote_64bit_integers = 0`;
}

/**
 * Bucket starts covering [from, to) in the time zone, as Unix ms, so that time series
 * answer every bucket, empty ones included. Computed by ClickHouse (one point in every
 * UTC quarter-hour of the range: every time-zone offset is a multiple of 15 minutes, so
 * every bucket holds whole quarter-hours) so bucket edges follow the same time-zone
 * rules, daylight saving included, as the grouped rows. The points are the quarter-hour
 * starts from the one holding `from`: stepping 15 minutes from `from` itself missed the
 * last bucket whenever `to` lay less than 15 minutes past a bucket edge (the default
 * range ends now, so the current hour for its first quarter, or the new day just after
 * midnight).
 */
export async function bucketStarts(client: ClickHouseClient, interval: BucketInterval, range: TimeRange, tz: string, limits: QueryLimits): Promise<number[]> {
  const firstQuarter = Math.floor(range.from / 900_000) * 900_000;
  const steps = Math.ceil((range.to - firstQuarter) / 900_000);
  const rows = await runQuery<{ at: number }>(
    client,
    `SELECT DISTINCT toUnixTimestamp(${bucketSql(interval, 't')}) * 1000 AS at
     FROM (SELECT toStartOfFifteenMinutes({from:DateTime64(3, 'UTC')}) + toIntervalMinute(15 * number) AS t FROM numbers({steps:UInt32}))
     WHERE t < {to:DateTime64(3, 'UTC')}
     ORDER BY at`,
    { ...rangeParams(range), steps, tz },
    limits,
  );
  return rows.map((row) => Number(row.at));
}

/** Lays grouped rows (keyed by bucket start) over every bucket, filling gaps with `empty`. */
export function fillBuckets<R extends { at: number }, T>(starts: number[], rows: R[], make: (at: number, row: R | undefined) => T): T[] {
  const byStart = new Map(rows.map((row) => [Number(row.at), row]));
  return starts.map((at) => make(at, byStart.get(at)));
}
