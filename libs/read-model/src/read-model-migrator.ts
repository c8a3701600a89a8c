import { ClickHouseClient } from '@clickhouse/client';
import { CLUSTER_MIGRATION_SETTINGS, clusterSchemaMigrationsTable, clusterStatements } from './cluster/cluster-ddl';
import { READ_MODEL_MIGRATIONS, ReadModelMigration } from './migrations';

export interface MigrationReport {
  applied: Array<{ version: number; name: string }>;
  current: number;
}

export interface MigrateOptions {
  /** A ClickHouse cluster's name (CLICKHOUSE_CLUSTER): every statement runs in its cluster form (cluster/cluster-ddl.ts). */
  cluster?: string;
}

/**
 * Brings the ClickHouse schema up to date. Runs at start-up; statements are
 * idempotent (`IF NOT EXISTS`) so two processes migrating at once do no harm.
 */
export async function migrateReadModel(
  client: ClickHouseClient,
  migrations: readonly ReadModelMigration[] = READ_MODEL_MIGRATIONS,
  options: MigrateOptions = {},
): Promise<MigrationReport> {
  const { cluster } = options;
  await client.command({
    query: cluster
      ? clusterSchemaMigrationsTable(cluster)
      : `CREATE TABLE IF NOT EXISTS schema_migrations
            (version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
            ENGINE = ReplacingMergeTree ORDER BY version`,
  });
  const result = await client.query({ query: 'SELECT max(version) AS current FROM schema_migrations', format: 'JSONEachRow' });
  const [{ current }] = await result.json<{ current: number }>();
  const applied: MigrationReport['applied'] = [];
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    for (const statement of migration.statements) {
      if (!cluster) await client.command({ query: statement });
      else for (const query of clusterStatements(statement, cluster)) await client.command({ query, clickhouse_settings: CLUSTER_MIGRATION_SETTINGS });
    }
    await client.insert({
      table: 'schema_migrations',
      values: [{ version: migration.version, name: migration.name }],
      format: 'JSONEachRow',
    });
    applied.push({ version: migration.version, name: migration.name });
  }
  return { applied, current: Math.max(current, ...applied.map((entry) => entry.version)) };
}
