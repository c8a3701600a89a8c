import { AnalyticsScope, RANGE_SQL, TIME_SCOPE_SQL, TimeRange, rangeParams, scopeParams } from './analytics-query';

/** Marks a path ending at a node; never shown, it only lets node counts include paths that stop there. */
export const PATH_END = '';

/** What makes the paths, whatever is then counted of them: the Sankey (`PathsRepository`) and a node's users (the drill) share it. */
export interface PathShape {
  scope: AnalyticsScope;
  range: TimeRange;
  /** Paths from this step on (`after`), or leading up to it (`before`); neither: from each visit's start. */
  anchor?: { step: string; direction: 'after' | 'before' };
  /** Steps per path, the anchor included. */
  steps: number;
  /** A pause longer than this starts a new visit. */
  visitGapMinutes: number;
}

/** Fixed slices per anchor direction: which part of a visit makes the path, and where its depth 1 is. */
const SLICE: Record<'after' | 'before' | 'none', string> = {
  after: `arraySlice(v, indexOf(v, {anchor:String}), if(indexOf(v, {anchor:String}) = 0, 0, {steps:UInt32}))`,
  before: `arraySlice(v, greatest(1, toInt64(indexOf(v, {anchor:String})) - {steps:UInt32} + 1), least(indexOf(v, {anchor:String}), {steps:UInt32}))`,
  none: `arraySlice(v, 1, {steps:UInt32})`,
};

/**
 * One row per path: `user_hash` and `p`, the path's steps in order. Each user's
 * activity in time order, split into visits wherever a pause exceeds the gap
 * (`arraySplit`), consecutive repeats collapsed (which also folds a duplicated event
 * into its original: same time, same step), cut around the anchor. Events of the same
 * millisecond keep the order of their UUIDv7 ids (`UUIDToNum`: the bytes in standard
 * order), i.e. the order they were reported in: the arrays are sorted here, whatever
 * order the rows are read in.
 *
 * Neighbours are compared through shifted copies of the array (`arrayDifference`,
 * `arrayPushFront(arrayPopBack(...))`) rather than `arr[i - 1]` inside a lambda: a
 * lambda that captures an array copies it for every element, quadratic per user.
 * It reads `activity_by_user` (migration 0009): activity records only, a user's rows
 * contiguous, users as 64-bit hashes (`cityHash64(env, identifier)`), the id as
 * `event_num` (`UUIDToNum`). A duplicated event is the same (time, id, step) as its
 * original, next to it once sorted, and folded by the collapse of repeats, so no `FINAL`.
 */
export function pathRowsSql(shape: Pick<PathShape, 'anchor'>): string {
  const slice = SLICE[shape.anchor?.direction ?? 'none'];
  return `SELECT user_hash, arrayJoin(arrayFilter(p -> length(p) > 0, arrayMap(v -> ${slice}, visits))) AS p
    FROM (
      SELECT user_hash,
             arraySort(groupArray((occurred_at, event_num, step))) AS ordered,
             arraySplit((s, cut) -> cut, arrayMap(x -> x.3, ordered),
                        arrayMap(gap -> gap > {gapMs:Int64}, arrayDifference(arrayMap(x -> toUnixTimestamp64Milli(x.1), ordered)))) AS raw_visits,
             arrayMap(v -> arrayFilter((s, previous) -> s != previous, v, arrayPushFront(arrayPopBack(v), '${PATH_END}')), raw_visits) AS visits
      FROM activity_by_user
      WHERE ${TIME_SCOPE_SQL} AND ${RANGE_SQL}
      GROUP BY user_hash
    )`;
}

/**
 * Depth of a path's first step, less one: paths that lead up to an anchor are
 * right-aligned, so the anchor is always at depth `steps`; others start at depth 1.
 * A path's step `p[i]` sits at depth `i + offset`.
 */
export function pathDepthOffsetSql(shape: Pick<PathShape, 'anchor'>): string {
  return shape.anchor?.direction === 'before' ? `(toInt64({steps:UInt32}) - length(p))` : '0';
}

/** The depth holding every path's anchor (depth 1 without an anchor). */
export function anchorDepthOf(shape: Pick<PathShape, 'anchor' | 'steps'>): number {
  return shape.anchor?.direction === 'before' ? shape.steps : 1;
}

/** The parameters `pathRowsSql` and `pathDepthOffsetSql` bind. */
export function pathParams(shape: PathShape): Record<string, unknown> {
  return {
    ...scopeParams(shape.scope),
    ...rangeParams(shape.range),
    anchor: shape.anchor?.step ?? '',
    steps: shape.steps,
    gapMs: shape.visitGapMinutes * 60_000,
  };
}

/**
 * The users (`user_hash`) with a path through `step` at `depth` (both bound as
 * `{step:String}`, `{depth:UInt32}`): the users a Sankey node's `users` counts.
 */
export function pathNodeUsersSql(shape: Pick<PathShape, 'anchor'>): string {
  const index = `toInt64({depth:UInt32}) - ${pathDepthOffsetSql(shape)}`;
  return `SELECT DISTINCT user_hash
    FROM (${pathRowsSql(shape)})
    WHERE ${index} BETWEEN 1 AND length(p) AND arrayElement(p, ${index}) = {step:String}`;
}
