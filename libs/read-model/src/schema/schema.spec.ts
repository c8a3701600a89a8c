import { ClickHouseClient } from '@clickhouse/client';
import { join } from 'node:path';
import { makeTempDir } from '../../../../test/support/temp-dir';
import { createReadModelClient } from '../clickhouse-client.factory';
import { migrateReadModel } from '../read-model-migrator';
import { DERIVED_TABLES, DERIVED_TABLE_DEFINITIONS, EVENTS_BY_QUARTER_TABLE, READ_MODEL_TABLES } from './index';
import { EVENT_KINDS, EVENT_KIND_SQL } from './event-kinds';
import { ColumnDefinition } from './table-definition';

/**
 * The schema module says what the tables are now; the migrations say how they got
 * there. Both must agree: every migration is run on an empty chDB database and what
 * ClickHouse then reports (tables, columns, views' queries, the `kind` expression) is
 * compared with the schema module's definitions.
 */
describe('the read-model schema module matches what the migrations produce', () => {
  jest.setTimeout(60_000);
  const dir = makeTempDir('read-model-schema');
  let client: ClickHouseClient;

  async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
    return result.json<T>();
  }

  /** ClickHouse's own formatting of a view's query, so two SQL texts compare by meaning, not by whitespace. */
  async function viewQuery(name: string): Promise<string> {
    const [row] = await rows<{ as_select: string }>('SELECT as_select FROM system.tables WHERE database = currentDatabase() AND name = {name:String}', {
      name,
    });
    return row.as_select;
  }

  beforeAll(async () => {
    client = createReadModelClient({ kind: 'chdb', path: join(dir.path, 'clickhouse') });
    await migrateReadModel(client);
  });

  afterAll(async () => {
    await client?.close();
    dir.remove();
  });

  it('lists every table the migrations leave (views and the migrator’s own table aside)', async () => {
    const tables = await rows<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine != 'MaterializedView' AND name != 'schema_migrations' ORDER BY name",
    );
    expect(tables.map((table) => table.name)).toEqual(READ_MODEL_TABLES.map((table) => table.name).sort());
  });

  it.each(READ_MODEL_TABLES.map((table) => [table.name, table.columns] as const))('%s: its columns, in order, with their types', async (name, columns) => {
    const actual = await rows<{ name: string; type: string; default_kind: string }>(
      'SELECT name, type, default_kind FROM system.columns WHERE database = currentDatabase() AND table = {name:String} ORDER BY position',
      { name },
    );
    const expected = columns.map((column: ColumnDefinition) => ({ name: column.name, type: column.type, default_kind: column.fill ?? '' }));
    expect(actual).toEqual(expected);
  });

  it.each(DERIVED_TABLE_DEFINITIONS.map((table) => [table.name, table] as const))(
    '%s: fed by a view on events whose query is the schema module’s select',
    async (name, table) => {
      const [view] = await rows<{ target: string }>(
        "SELECT arrayElement(extractAll(create_table_query, 'TO ([\\\\w.]+)'), 1) AS target FROM system.tables WHERE database = currentDatabase() AND name = {view:String}",
        { view: `${name}_mv` },
      );
      expect(view.target.replace(/^.*\./, '')).toBe(name);
      const check = `schema_check_${name}`;
      await client.command({ query: `CREATE VIEW ${check} AS ${table.select('events')}` });
      try {
        expect(await viewQuery(check)).toBe(await viewQuery(`${name}_mv`));
      } finally {
        await client.command({ query: `DROP VIEW ${check}` });
      }
    },
  );

  it('DERIVED_TABLES populates each derived table with its select, and its shape fits the table', async () => {
    expect(DERIVED_TABLES.map((entry) => entry.table)).toEqual(DERIVED_TABLE_DEFINITIONS.map((table) => table.name));
    for (const entry of DERIVED_TABLES) {
      // Runs for real (on the empty events table): the SELECT's columns fit the table's.
      await client.command({ query: `CREATE TABLE shadow_check AS ${entry.table}` });
      try {
        await client.command({ query: entry.populate('events', 'shadow_check') });
      } finally {
        await client.command({ query: 'DROP TABLE shadow_check SYNC' });
      }
    }
  });

  it("EVENT_KIND_SQL is events_by_quarter's `kind`, and gives EVENT_KINDS' numbers", async () => {
    await client.command({
      query: `CREATE TABLE kind_check (type LowCardinality(String), status LowCardinality(String), kind UInt8 MATERIALIZED ${EVENT_KIND_SQL}) ENGINE = Memory`,
    });
    try {
      const expression =
        'SELECT default_expression FROM system.columns WHERE database = currentDatabase() AND table = {table:String} AND name = {column:String}';
      const [live] = await rows<{ default_expression: string }>(expression, { table: EVENTS_BY_QUARTER_TABLE.name, column: 'kind' });
      const [check] = await rows<{ default_expression: string }>(expression, { table: 'kind_check', column: 'kind' });
      expect(check.default_expression).toBe(live.default_expression);

      const cases: Array<[string, string, number]> = [
        ['SessionActivityRecorded', 'success', EVENT_KINDS.success],
        ['SessionActivityRecorded', 'error', EVENT_KINDS.error],
        ['SessionActivityRecorded', 'pending', EVENT_KINDS.otherActivity],
        ['SessionStarted', '', EVENT_KINDS.start],
        ['SessionRefreshed', '', EVENT_KINDS.refresh],
        ['SessionRevoked', '', EVENT_KINDS.revoke],
        ['SessionExtended', '', EVENT_KINDS.extend],
        ['SomethingElse', '', 0],
      ];
      await client.insert({ table: 'kind_check', values: cases.map(([type, status]) => ({ type, status })), format: 'JSONEachRow' });
      const kinds = await rows<{ type: string; status: string; kind: number }>('SELECT type, status, kind FROM kind_check');
      expect(kinds.map((row) => [row.type, row.status, Number(row.kind)])).toEqual(cases);
    } finally {
      await client.command({ query: 'DROP TABLE kind_check SYNC' });
    }
  });
});
