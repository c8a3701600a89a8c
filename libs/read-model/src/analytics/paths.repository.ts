import { ClickHouseClient } from '@clickhouse/client';
import { AnalyticsScope, QueryLimits, RANGE_SQL, TIME_SCOPE_SQL, TimeRange, rangeParams, runQuery, scopeParams } from './analytics-query';

export const MAX_PATH_STEPS = 10;
export const MAX_PATH_EDGES = 500;
/** Marks a path ending at a node; never shown, it only lets node counts include paths that stop there. */
const END = '';

export interface PathsQuery {
  scope: AnalyticsScope;
  range: TimeRange;
  /** Paths from this step on (`after`), or leading up to it (`before`); neither: from each visit's start. */
  anchor?: { step: string; direction: 'after' | 'before' };
  /** Steps per path, the anchor included. */
  steps: number;
  /** Most frequent edges kept. */
  edges: number;
  /** A pause longer than this starts a new visit. */
  visitGapMinutes: number;
}

export interface PathNode {
  /** `<depth>_<step>`, unique per column of the Sankey chart. */
  id: string;
  step: string;
  depth: number;
  /** Visits passing through this step at this depth. */
  visits: number;
}

export interface PathEdge {
  source: string;
  target: string;
  visits: number;
}

export interface Paths {
  anchor: PathsQuery['anchor'] | null;
  visits: number;
  nodes: PathNode[];
  edges: PathEdge[];
}

/** Fixed slices per anchor direction: which part of a visit makes the path, and where its depth 1 is. */
const SLICE: Record<'after' | 'before' | 'none', string> = {
  after: `arraySlice(v, indexOf(v, {anchor:String}), if(indexOf(v, {anchor:String}) = 0, 0, {steps:UInt32}))`,
  before: `arraySlice(v, greatest(1, toInt64(indexOf(v, {anchor:String})) - {steps:UInt32} + 1), least(indexOf(v, {anchor:String}), {steps:UInt32}))`,
  none: `arraySlice(v, 1, {steps:UInt32})`,
};

/**
 * The most common sequences of steps, PostHog-style: each user's activity in time
 * order, split into visits wherever a pause exceeds the gap (`arraySplit`),
 * consecutive repeats collapsed (which also folds a duplicated event into its
 * original: same time, same step), cut around the anchor, then counted as edges
 * between (depth, step) nodes. Paths that lead up to an anchor are right-aligned, so
 * the anchor is always at depth `steps`. Events of the same millisecond keep the
 * order of their UUIDv7 ids (`UUIDToNum`: the bytes in standard order), i.e. the order
 * they were reported in: the arrays are sorted here, whatever order the rows are read in.
 *
 * Neighbours are compared through shifted copies of the array (`arrayDifference`,
 * `arrayPushFront(arrayPopBack(...))`) rather than `arr[i - 1]` inside a lambda: a
 * lambda that captures an array copies it for every element, quadratic per user.
 * It reads `activity_by_user` (migration 0009): activity records only, a user's rows
 * contiguous, users as 64-bit hashes, the id as `event_num` (`UUIDToNum`). A duplicated
 * event is the same (time, id, step) as its original, next to it once sorted, and folded
 * by the collapse of repeats, so no `FINAL`.
 */
export class PathsRepository {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly limits: QueryLimits,
  ) {}

  async build(query: PathsQuery): Promise<Paths> {
    const slice = SLICE[query.anchor?.direction ?? 'none'];
    const offset = query.anchor?.direction === 'before' ? `toInt64({steps:UInt32}) - length(p)` : '0';
    const rows = await runQuery<{ depth: number; source: string; target: string; visits: number }>(
      this.client,
      `SELECT e.1 AS depth, e.2 AS source, e.3 AS target, count() AS visits
       FROM (
         SELECT arrayJoin(arrayZip(arrayMap(i -> i + ${offset}, arrayEnumerate(p)), p, arrayPushBack(arrayPopFront(p), '${END}'))) AS e
         FROM (
           SELECT arrayJoin(arrayFilter(p -> length(p) > 0, arrayMap(v -> ${slice}, visits))) AS p
           FROM (
             SELECT arraySort(groupArray((occurred_at, event_num, step))) AS ordered,
                    arraySplit((s, cut) -> cut, arrayMap(x -> x.3, ordered),
                               arrayMap(gap -> gap > {gapMs:Int64}, arrayDifference(arrayMap(x -> toUnixTimestamp64Milli(x.1), ordered)))) AS raw_visits,
                    arrayMap(v -> arrayFilter((s, previous) -> s != previous, v, arrayPushFront(arrayPopBack(v), '${END}')), raw_visits) AS visits
             FROM activity_by_user
             WHERE ${TIME_SCOPE_SQL} AND ${RANGE_SQL}
             GROUP BY user_hash
           )
         )
       )
       GROUP BY depth, source, target
       ORDER BY visits DESC, depth, source, target`,
      {
        ...scopeParams(query.scope),
        ...rangeParams(query.range),
        anchor: query.anchor?.step ?? '',
        steps: query.steps,
        gapMs: query.visitGapMinutes * 60_000,
      },
      this.limits,
    );
    // Every path has exactly one node at the anchor's depth (depth 1 without an anchor).
    const anchorDepth = query.anchor?.direction === 'before' ? query.steps : 1;
    const nodes = new Map<string, PathNode>();
    let visits = 0;
    for (const row of rows) {
      const depth = Number(row.depth);
      const id = `${depth}_${row.source}`;
      const node = nodes.get(id) ?? { id, step: row.source, depth, visits: 0 };
      node.visits += Number(row.visits);
      nodes.set(id, node);
      if (depth === anchorDepth) visits += Number(row.visits);
    }
    const edges = rows
      .filter((row) => row.target !== END)
      .slice(0, query.edges)
      .map((row) => ({ source: `${row.depth}_${row.source}`, target: `${Number(row.depth) + 1}_${row.target}`, visits: Number(row.visits) }));
    const kept = new Set(edges.flatMap((edge) => [edge.source, edge.target]));
    if (query.anchor) kept.add(`${anchorDepth}_${query.anchor.step}`);
    return {
      anchor: query.anchor ?? null,
      visits,
      nodes: [...nodes.values()]
        .filter((node) => kept.has(node.id) || edges.length === 0)
        .sort((a, b) => a.depth - b.depth || b.visits - a.visits || a.step.localeCompare(b.step)),
      edges,
    };
  }
}
