import { ClickHouseClient } from '@clickhouse/client';
import { Session } from 'chdb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { READ_MODEL_MIGRATIONS } from '../migrations';
import { READ_MODEL_TABLES } from '../schema';
import { UserRowsEraser } from '../erasure/user-rows-eraser';
import { migrateReadModel } from '../read-model-migrator';
import { deleteTarget, insertSelectSettings, registerCluster } from './cluster-client';
import { clusterSchemaMigrationsTable, clusterStatements, localName } from './cluster-ddl';

const CLUSTER = 'waymark';
const statements = READ_MODEL_MIGRATIONS.flatMap((migration) => migration.statements);
const clustered = statements.flatMap((statement) => clusterStatements(statement, CLUSTER));

/**
 * A cluster statement as one server runs it, for chDB (no Keeper, no cluster): no
 * `ON CLUSTER`, the Replicated engine without its Keeper path and replica, and a
 * Distributed table replaced by a Merge table over the same local table (the same
 * `AS <local>` columns, and ALTERs apply to it as to a Distributed table), and a back-fill
 * as each shard runs it.
 */
function onOneServer(statement: string): string {
  return (
    statement
      .replace(/ ON CLUSTER \w+/g, '')
      .replace(/Replicated(\w*MergeTree)\('[^']*', '[^']*'(?:, )?/, '$1(')
      .replace(/MergeTree\(\)/, 'MergeTree')
      .replace(
        /ENGINE = Distributed\([^,]+, currentDatabase\(\), '(\w+)', [^)]*\)\)?/,
        (_distributed, local: string) => `ENGINE = Merge(currentDatabase(), '^${local}$')`,
      )
      .replace(/\breplicated_deduplication_window\b/, 'non_replicated_deduplication_window')
      // A back-fill through the Distributed tables, as parallel_distributed_insert_select = 2
      // runs it on each shard: from the shard's local events into its local table.
      .replace(
        /^INSERT INTO (\w+)(\s+SELECT[\s\S]*)$/,
        (_insert, table: string, select: string) => `INSERT INTO ${localName(table)}${select.replace(/\bFROM events\b/g, 'FROM events_local')}`,
      )
  );
}

interface ColumnRow {
  name: string;
  type: string;
  default_kind: string;
  default_expression: string;
  compression_codec: string;
}

function query<T>(session: Session, sql: string): T[] {
  const text = session.query(sql, 'JSONEachRow').toString().trim();
  return text === '' ? [] : text.split('\n').map((line) => JSON.parse(line) as T);
}

const columnsOf = (session: Session, database: string, table: string) =>
  query<ColumnRow>(
    session,
    `SELECT name, type, default_kind, default_expression, compression_codec FROM system.columns WHERE database = '${database}' AND table = '${table}' ORDER BY position`,
  );

const tableOf = (session: Session, database: string, table: string) =>
  query<{ engine: string; sorting_key: string; partition_key: string }>(
    session,
    `SELECT engine, sorting_key, partition_key FROM system.tables WHERE database = '${database}' AND name = '${table}'`,
  )[0];

describe('the read model on a ClickHouse cluster (CLICKHOUSE_CLUSTER)', () => {
  it('has a cluster form for every migration statement, and ClickHouse parses every one of them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wm-cluster-parse-'));
    const session = new Session(dir);
    try {
      for (const statement of [clusterSchemaMigrationsTable(CLUSTER), ...clustered]) {
        const [{ formatted }] = query<{ formatted: string }>(
          session,
          `SELECT formatQuery('${statement.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}') AS formatted`,
        );
        expect(formatted.length).toBeGreaterThan(0);
      }
    } finally {
      session.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('creates every table ON CLUSTER as a replicated local table and a Distributed table sharded by user, and views on the local events', () => {
    for (const table of READ_MODEL_TABLES) {
      const local = clustered.find((statement) => statement.startsWith(`CREATE TABLE IF NOT EXISTS ${localName(table.name)} `));
      expect(local).toMatch(
        new RegExp(
          `ON CLUSTER ${CLUSTER} [\\s\\S]*ENGINE = Replicated\\w*MergeTree\\('/clickhouse/tables/\\{shard\\}/\\{database\\}/${localName(table.name)}', '\\{replica\\}'`,
        ),
      );
      const distributed = clustered.find((statement) => statement.startsWith(`CREATE TABLE IF NOT EXISTS ${table.name} `));
      expect(distributed).toMatch(
        new RegExp(
          `AS ${localName(table.name)} ENGINE = Distributed\\('${CLUSTER}', currentDatabase\\(\\), '${localName(table.name)}', (cityHash64\\(env, identifier\\)|user_hash|cityHash64\\(id\\))\\)`,
        ),
      );
    }
    const views = clustered.filter((statement) => statement.startsWith('CREATE MATERIALIZED VIEW'));
    expect(views.length).toBeGreaterThan(0);
    for (const view of views) {
      expect(view).toMatch(/ TO \w+_local AS /);
      expect(view).toMatch(/FROM events_local\b/);
      expect(view).not.toMatch(/FROM events\b(?!_)/);
    }
    expect(clustered.join('\n')).not.toMatch(/non_replicated_deduplication_window/);
    expect(clustered.join('\n')).toMatch(/replicated_deduplication_window = 10000/);
  });

  it('refuses a statement it has no cluster form for, and a cluster name that is not a plain name', () => {
    expect(() => clusterStatements('RENAME TABLE events TO old_events', CLUSTER)).toThrow(/no cluster form/);
    expect(() => clusterStatements(statements[0], "x' OR 1")).toThrow(/plain name/);
  });

  it('ends, on one server, with every local table column for column as the single-server schema, and its Distributed table with the same columns', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wm-cluster-columns-'));
    const session = new Session(dir);
    try {
      session.query('CREATE DATABASE single');
      session.query('CREATE DATABASE clustered');
      session.query('USE single');
      for (const statement of statements) session.query(statement);
      session.query('USE clustered');
      for (const statement of clustered) session.query(onOneServer(statement));

      for (const table of READ_MODEL_TABLES) {
        const single = columnsOf(session, 'single', table.name);
        expect(single.map((column) => column.name)).toEqual(table.columns.map((column) => column.name));
        expect(columnsOf(session, 'clustered', localName(table.name))).toEqual(single);
        const front = columnsOf(session, 'clustered', table.name);
        expect(front.map(({ name, type }) => ({ name, type }))).toEqual(single.map(({ name, type }) => ({ name, type })));
        const [one, local] = [tableOf(session, 'single', table.name), tableOf(session, 'clustered', localName(table.name))];
        expect(local).toEqual(one);
      }
      const views = query<{ name: string; create_table_query: string }>(
        session,
        "SELECT name, create_table_query FROM system.tables WHERE database = 'clustered' AND engine = 'MaterializedView' ORDER BY name",
      );
      expect(views.map((view) => view.name)).toEqual(['activity_by_user_mv', 'events_by_quarter_mv', 'journey_events_mv', 'sessions_mv', 'user_days_mv']);
      for (const view of views) expect(view.create_table_query).toMatch(/FROM clustered\.events_local/);
    } finally {
      session.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('migrateReadModel with a cluster', () => {
  it('creates schema_migrations across the cluster and runs every statement in its cluster form, with the cluster settings', async () => {
    const commands: Array<{ query: string; clickhouse_settings?: Record<string, unknown> }> = [];
    // Records what the migrator sends; there is no ClickHouse cluster on these machines (docs/deployment.md).
    const recorder = {
      command: async (params: { query: string; clickhouse_settings?: Record<string, unknown> }) => void commands.push(params),
      query: async () => ({ json: async () => [{ current: 0 }] }),
      insert: async () => undefined,
    } as unknown as Parameters<typeof migrateReadModel>[0];
    const report = await migrateReadModel(recorder, undefined, { cluster: CLUSTER });
    expect(report.current).toBe(READ_MODEL_MIGRATIONS[READ_MODEL_MIGRATIONS.length - 1].version);
    expect(commands[0].query).toBe(clusterSchemaMigrationsTable(CLUSTER));
    expect(commands.slice(1).map((command) => command.query)).toEqual(clustered);
    for (const command of commands.slice(1)) {
      expect(command.clickhouse_settings).toMatchObject({ parallel_distributed_insert_select: '2' });
      if (!command.query.startsWith('INSERT')) expect(command.query).toContain(`ON CLUSTER ${CLUSTER}`);
    }
  });
});

describe('statements that cannot go through a Distributed table', () => {
  it("send an erasure's lightweight DELETEs to every host's local tables, and one server's to the table itself", async () => {
    const sent = (cluster?: string) => {
      const queries: string[] = [];
      const client = { command: async ({ query }: { query: string }) => void queries.push(query) } as unknown as ClickHouseClient;
      if (cluster) registerCluster(client, cluster);
      return { client, queries };
    };
    const counts = Object.fromEntries(READ_MODEL_TABLES.map((table) => [table.name, 1]));
    const footprint = { envs: ['prd'], tags: ['web'], from: '2026-01-01 00:00:00.000', to: '2026-12-01 00:00:00.000' };
    const onCluster = sent(CLUSTER);
    await new UserRowsEraser(onCluster.client).delete({ product: 'shop', identifier: 'ada@example.com' }, footprint, counts);
    expect(onCluster.queries.length).toBeGreaterThan(0);
    for (const query of onCluster.queries) expect(query).toMatch(new RegExp(`^DELETE FROM \\w+_local ON CLUSTER ${CLUSTER} WHERE `));
    expect(onCluster.queries.some((query) => query.startsWith(`DELETE FROM events_local ON CLUSTER ${CLUSTER}`))).toBe(true);

    const single = sent();
    await new UserRowsEraser(single.client).delete({ product: 'shop', identifier: 'ada@example.com' }, footprint, counts);
    expect(single.queries.map((query) => query.replace(' WHERE ', '|').split('|')[0])).toEqual(
      onCluster.queries.map((query) =>
        query
          .replace(' WHERE ', '|')
          .split('|')[0]
          .replace(/_local ON CLUSTER \w+$/, ''),
      ),
    );
    expect(deleteTarget(single.client, 'events')).toBe('events');
    expect(insertSelectSettings(single.client)).toEqual({});
    expect(insertSelectSettings(onCluster.client)).toEqual({ parallel_distributed_insert_select: '2' });
  });
});
