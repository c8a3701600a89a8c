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
    if (names.has('identifier')) found.push({ name: table.name, userColumn: 'identifier', hasTag });
    else if (names.has('user_hash') && names.has('env')) found.push({ name: table.name, userColumn: 'user_hash', hasTag });
  }
  return found;
}

/** The WHERE clause of one user's rows in a table, with ClickHouse query parameters (never the values in the SQL text). */
export function userRowsWhere(table: UserTable, scope: UserRowsScope): { where: string; params: Record<string, unknown> } {
  const parts = ['product = {product:String}'];
  const params: Record<string, unknown> = { product: scope.product, identifier: scope.identifier };
  // user_hash is the hash of (env, identifier): computed per row from its own env, so
  // every env of the user matches without listing the envs.
  parts.push(table.userColumn === 'identifier' ? 'identifier = {identifier:String}' : 'user_hash = cityHash64(env, {identifier:String})');
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
