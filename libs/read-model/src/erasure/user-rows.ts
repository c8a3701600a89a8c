import { READ_MODEL_TABLES, TableDefinition } from '../schema';

/** Whose rows to erase: one user of one product, in every env and tag unless narrowed. */
export interface UserRowsScope {
  product: string;
  identifier: string;
  /** Only these envs (empty or absent: all). */
  envs?: readonly string[];
  /** Only these tags (empty or absent: all). */
  tags?: readonly string[];
}

/** How a table names its user: in the clear, or as `cityHash64(env, identifier)` (the derived tables that only count users). */
export type UserColumn = 'identifier' | 'user_hash';

export interface UserTable {
  name: string;
  userColumn: UserColumn;
  hasTag: boolean;
  /** A time column the table is partitioned or sorted by, which narrows the search to the user's time span. */
  time?: { column: string; kind: 'instant' | 'day' };
}

/**
 * Where a user's rows can be: the envs and tags they have events in and the span of
 * those events, read from `events` (sorted by user, so this is cheap). Every other
 * table is then searched with these as conditions on its sort key and partitions
 * instead of scanned: one user among millions touches a few granules.
 */
export interface UserFootprint {
  envs: string[];
  tags: string[];
  /** ClickHouse DateTime64(3) text, UTC. */
  from: string;
  to: string;
}

/**
 * Every table of the read model that holds rows of users, found from the schema module
 * (so a table added there is erased too without a change here): those with an
 * `identifier` column, and those with a `user_hash` (and `env`, its other input). A
 * table with neither (`replay_runs`) holds no user's rows.
 */
export function userTables(tables: readonly TableDefinition[] = READ_MODEL_TABLES): UserTable[] {
  const found: UserTable[] = [];
  for (const table of tables) {
    const names = new Set(table.columns.map((column) => column.name));
    if (!names.has('product')) continue;
    const hasTag = names.has('tag');
    const time = names.has('occurred_at')
      ? ({ column: 'occurred_at', kind: 'instant' } as const)
      : names.has('day')
        ? ({ column: 'day', kind: 'day' } as const)
        : undefined;
    const base = { name: table.name, hasTag, ...(time ? { time } : {}) };
    if (names.has('identifier')) found.push({ ...base, userColumn: 'identifier' });
    else if (names.has('user_hash') && names.has('env')) found.push({ ...base, userColumn: 'user_hash' });
  }
  return found;
}

/**
 * The WHERE clause of one user's rows in a table, with ClickHouse query parameters
 * (never the values in the SQL text). With the user's footprint, also the envs, tags
 * and time span they can be in, as conditions the table's index and partitions prune
 * with; the user hash is then a constant per env (`cityHash64('<env>', identifier)`),
 * which the index of a table sorted by (…, env, user_hash) uses too.
 */
export function userRowsWhere(table: UserTable, scope: UserRowsScope, footprint?: UserFootprint): { where: string; params: Record<string, unknown> } {
  const parts = ['product = {product:String}'];
  const params: Record<string, unknown> = { product: scope.product, identifier: scope.identifier };
  if (footprint) {
    params.footprintEnvs = footprint.envs;
    parts.push('env IN {footprintEnvs:Array(String)}');
    if (table.hasTag) {
      params.footprintTags = footprint.tags;
      parts.push('tag IN {footprintTags:Array(String)}');
    }
    if (table.time) {
      params.from = footprint.from;
      params.to = footprint.to;
      parts.push(
        table.time.kind === 'instant'
          ? `${table.time.column} BETWEEN {from:DateTime64(3, 'UTC')} AND {to:DateTime64(3, 'UTC')}`
          : `${table.time.column} BETWEEN toDate({from:DateTime64(3, 'UTC')}) AND toDate({to:DateTime64(3, 'UTC')})`,
      );
    }
  }
  if (table.userColumn === 'identifier') {
    parts.push('identifier = {identifier:String}');
  } else if (footprint) {
    footprint.envs.forEach((env, index) => (params[`env${index}`] = env));
    const perEnv = footprint.envs.map((_, index) => `(env = {env${index}:String} AND user_hash = cityHash64({env${index}:String}, {identifier:String}))`);
    parts.push(`(${perEnv.join(' OR ')})`);
  } else {
    // user_hash is the hash of (env, identifier): computed per row from its own env, so
    // every env of the user matches without listing the envs.
    parts.push('user_hash = cityHash64(env, {identifier:String})');
  }
  if (scope.envs && scope.envs.length > 0) {
    parts.push('env IN {envs:Array(String)}');
    params.envs = [...scope.envs];
  }
  if (scope.tags && scope.tags.length > 0 && table.hasTag) {
    parts.push('tag IN {tags:Array(String)}');
    params.tags = [...scope.tags];
  }
  return { where: parts.join(' AND '), params };
}
