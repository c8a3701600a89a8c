/**
 * The read model on a ClickHouse cluster (CLICKHOUSE_CLUSTER, docs/deployment.md "A
 * ClickHouse cluster"): every migration statement, written for one server, rewritten
 * for a cluster of shards and replicas.
 *
 * - Each table becomes `<name>_local`, created `ON CLUSTER` with the replicated form of
 *   its engine (ReplacingMergeTree → ReplicatedReplacingMergeTree, AggregatingMergeTree →
 *   ReplicatedAggregatingMergeTree), one replica set per shard in Keeper, and a
 *   `Distributed` table keeps the old name over the shards' local tables. Readers and
 *   writers keep using the names they always did.
 * - Rows are sharded by the user: `cityHash64(env, identifier)`, or the column derived
 *   from it (`user_hash`). All of one user's events are on one shard, so the
 *   ReplacingMergeTree collapse of a redelivered event (same key, same shard) and the
 *   per-user order of a journey hold as on one server, and a user's erasure touches one
 *   shard.
 * - Materialized views run on each shard, from `events_local` into the derived
 *   `<name>_local`: a derived row is written on the shard of the event it comes from,
 *   which is the shard its own sharding key names.
 * - `non_replicated_deduplication_window` (a retried INSERT with the same
 *   `insert_deduplication_token` is dropped) becomes `replicated_deduplication_window`:
 *   on replicated tables the window lives in Keeper, shared by the shard's replicas, so
 *   a retry that reaches another replica is dropped too.
 */

/** One migration statement for a cluster named `cluster`: the statements to run instead, in order. */
export function clusterStatements(statement: string, cluster: string): string[] {
  const on = `ON CLUSTER ${quoteIdentifier(cluster)}`;
  const text = statement.trim();

  const createTable = /^CREATE TABLE IF NOT EXISTS (\w+)\s*(\([\s\S]*?\))\s*ENGINE\s*=\s*(\w*MergeTree)(\([^)]*\))?([\s\S]*)$/.exec(text);
  if (createTable) {
    const [, name, columns, engine, engineArgs, rest] = createTable;
    const local = localName(name);
    const args = engineArgs ? engineArgs.slice(1, -1).trim() : '';
    const replicated = `Replicated${engine}('/clickhouse/tables/{shard}/{database}/${local}', '{replica}'${args ? `, ${args}` : ''})`;
    const settings = rest.replace(/\bnon_replicated_deduplication_window\b/g, 'replicated_deduplication_window');
    return [
      `CREATE TABLE IF NOT EXISTS ${local} ${on} ${columns} ENGINE = ${replicated}${settings}`,
      `CREATE TABLE IF NOT EXISTS ${name} ${on} AS ${local} ENGINE = ${distributedEngine(cluster, local, shardingKeyOf(name))}`,
    ];
  }

  const createView = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+)\s+TO\s+(\w+)\s+AS\s+([\s\S]*)$/.exec(text);
  if (createView) {
    const [, view, target, select] = createView;
    return [
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${view} ${on} TO ${localName(target)} AS ${select.replace(/\bFROM events\b/g, `FROM ${localName('events')}`)}`,
    ];
  }

  const alter = /^ALTER TABLE (\w+)\s+([\s\S]*)$/.exec(text);
  if (alter) {
    const [, table, operations] = alter;
    const statements = [`ALTER TABLE ${localName(table)} ${on} ${operations}`];
    // The Distributed table's columns must follow the local ones (it was created AS the
    // local table, which copied the columns of that moment only).
    if (/^ADD COLUMN/i.test(operations.trim())) statements.push(`ALTER TABLE ${table} ${on} ${operations}`);
    return statements;
  }

  const optimize = /^OPTIMIZE TABLE (\w+)\s+FINAL$/.exec(text);
  if (optimize) return [`OPTIMIZE TABLE ${localName(optimize[1])} ${on} FINAL`];

  const dropView = /^DROP VIEW IF EXISTS (\w+)(\s+SYNC)?$/.exec(text);
  if (dropView) return [`DROP VIEW IF EXISTS ${dropView[1]} ${on}${dropView[2] ? ' SYNC' : ''}`];

  const dropTable = /^DROP TABLE IF EXISTS (\w+)(\s+SYNC)?$/.exec(text);
  if (dropTable) {
    const [, table, syncGiven] = dropTable;
    const sync = syncGiven ? ' SYNC' : '';
    return [`DROP TABLE IF EXISTS ${table} ${on}${sync}`, `DROP TABLE IF EXISTS ${localName(table)} ${on}${sync}`];
  }

  // A back-fill (INSERT … SELECT … FROM events) runs through the Distributed tables; the
  // migrator runs it with parallel_distributed_insert_select = 2, so each shard copies
  // its own rows into its own local table.
  if (/^INSERT INTO \w+\s+SELECT\s/.test(text)) return [text];

  throw new Error(`no cluster form for this migration statement (add one to cluster-ddl.ts): ${text.slice(0, 120)}`);
}

/** The settings the migrator runs statements with on a cluster. */
export const CLUSTER_MIGRATION_SETTINGS = {
  // Back-fills: every shard inserts its own rows into its local table, nothing crosses shards.
  parallel_distributed_insert_select: '2',
  // ON CLUSTER statements wait for every host (the default, said here so it is not lost).
  distributed_ddl_task_timeout: '300',
} as const;

/** `schema_migrations` on a cluster: one replica set across every host, so each app sees what any of them applied. */
export function clusterSchemaMigrationsTable(cluster: string): string {
  return `CREATE TABLE IF NOT EXISTS schema_migrations ON CLUSTER ${quoteIdentifier(cluster)}
          (version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
          ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{database}/schema_migrations', '{shard}-{replica}') ORDER BY version`;
}

function distributedEngine(cluster: string, local: string, shardingKey: string): string {
  return `Distributed(${quoteString(cluster)}, currentDatabase(), '${local}', ${shardingKey})`;
}

export function localName(table: string): string {
  return `${table}_local`;
}

/**
 * Which shard a row goes to: its user. Tables keyed by `user_hash` hold
 * `cityHash64(env, identifier)` already, the same value, so a user's rows of every table
 * share a shard. The replay journal has no user: its runs spread by id.
 */
export function shardingKeyOf(table: string): string {
  switch (table) {
    case 'events':
    case 'sessions':
    case 'journey_events':
      return 'cityHash64(env, identifier)';
    case 'events_by_time':
    case 'events_by_quarter':
    case 'user_days':
    case 'activity_by_user':
      return 'user_hash';
    case 'replay_runs':
      return 'cityHash64(id)';
    default:
      throw new Error(`no sharding key for table ${table} (add one to cluster-ddl.ts)`);
  }
}

function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z_][\w-]*$/.test(name)) throw new Error(`CLICKHOUSE_CLUSTER must be a plain name (letters, digits, _ and -), got ${JSON.stringify(name)}`);
  return /^[A-Za-z_]\w*$/.test(name) ? name : `\`${name}\``;
}

function quoteString(name: string): string {
  return `'${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
