import { ClickHouseClient } from '@clickhouse/client';
import { QueryLimits, runQuery } from './analytics-query';
import { PATH_END, PathShape, anchorDepthOf, pathDepthOffsetSql, pathParams, pathRowsSql } from './path-visits';

export * from './path-visits';

export const MAX_PATH_STEPS = 10;
export const MAX_PATH_EDGES = 500;

export interface PathsQuery extends PathShape {
  /** Most frequent edges kept. */
  edges: number;
}

export interface PathNode {
  /** `<depth>_<step>`, unique per column of the Sankey chart. */
  id: string;
  step: string;
  depth: number;
  /** Visits passing through this step at this depth. */
  visits: number;
  /** Distinct users with a visit passing through this step at this depth (a user may make several visits). */
  users: number;
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

/**
 * The most common sequences of steps, PostHog-style: the paths of `pathRowsSql`
 * (path-visits.ts: visits split at the gap, repeats collapsed, cut around the anchor)
 * counted as edges between (depth, step) nodes. Paths that lead up to an anchor are
 * right-aligned, so the anchor is always at depth `steps`.
 *
 * One pass, two grouping sets: per edge (depth, source, target), the visits; per node
 * (depth, source), the visits again and the distinct users, which cannot be summed
 * from the edges. `grouping(target)` is 1 on node rows.
 */
export class PathsRepository {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly limits: QueryLimits,
  ) {}

  async build(query: PathsQuery): Promise<Paths> {
    const offset = pathDepthOffsetSql(query);
    const rows = await runQuery<{ depth: number; source: string; target: string; visits: number; users: number; node: number }>(
      this.client,
      `SELECT depth, source, target, count() AS visits, uniqExact(user_hash) AS users, grouping(target) AS node
       FROM (
         SELECT user_hash, e.1 AS depth, e.2 AS source, e.3 AS target
         FROM (${pathRowsSql(query)})
         ARRAY JOIN arrayZip(arrayMap(i -> i + ${offset}, arrayEnumerate(p)), p, arrayPushBack(arrayPopFront(p), '${PATH_END}')) AS e
       )
       GROUP BY GROUPING SETS ((depth, source, target), (depth, source))
       ORDER BY visits DESC, depth, source, target`,
      pathParams(query),
      this.limits,
    );
    // Every path has exactly one node at the anchor's depth (depth 1 without an anchor).
    const anchorDepth = anchorDepthOf(query);
    const nodes = new Map<string, PathNode>();
    let visits = 0;
    for (const row of rows.filter((candidate) => Number(candidate.node) === 1)) {
      const depth = Number(row.depth);
      const id = `${depth}_${row.source}`;
      nodes.set(id, { id, step: row.source, depth, visits: Number(row.visits), users: Number(row.users) });
      if (depth === anchorDepth) visits += Number(row.visits);
    }
    const edges = rows
      .filter((row) => Number(row.node) === 0 && row.target !== PATH_END)
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
