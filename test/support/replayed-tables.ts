import { ClickHouseClient } from '@clickhouse/client';
import { DERIVED_TABLES } from '@waymark/read-model';

/** Every table a replay rebuilds, `events` first (the swap's order). */
export const REPLAYED_TABLES = ['events', ...DERIVED_TABLES.map((entry) => entry.table)];

/**
 * A ClickHouse client whose commands matching `statement` fail once `allowed` of them
 * have run: a swap cut short as by a crash between two `EXCHANGE TABLES` (or before
 * the shadows' drop). Everything else goes to the real client.
 */
export function failingAfter(client: ClickHouseClient, statement: RegExp, allowed: number): ClickHouseClient {
  let seen = 0;
  const command: ClickHouseClient['command'] = async (params) => {
    if (statement.test(params.query) && ++seen > allowed) throw new Error(`simulated crash before: ${params.query}`);
    return client.command(params);
  };
  return new Proxy(client, {
    get: (target, property) => {
      if (property === 'command') return command;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export const EXCHANGE = /^EXCHANGE TABLES /;
/** The swap's drop of the old tables (the shadows' creation drops with SYNC). */
export const SWAP_DROP = /^DROP TABLE IF EXISTS \w+__replay$/;

/** Which replay run (table comment) each live table comes from. */
export async function liveMarks(client: ClickHouseClient): Promise<Record<string, string>> {
  const result = await client.query({
    query: 'SELECT name, comment FROM system.tables WHERE database = currentDatabase() AND name IN {tables:Array(String)}',
    query_params: { tables: REPLAYED_TABLES },
    format: 'JSONEachRow',
  });
  return Object.fromEntries((await result.json<{ name: string; comment: string }>()).map((row) => [row.name, row.comment]));
}

export async function shadowTables(client: ClickHouseClient): Promise<string[]> {
  const result = await client.query({
    query: "SELECT name FROM system.tables WHERE database = currentDatabase() AND endsWith(name, '__replay') ORDER BY name",
    format: 'JSONEachRow',
  });
  return (await result.json<{ name: string }>()).map((row) => row.name);
}

/**
 * What each replayed table answers, merges and duplicates aside (FINAL, rows sorted),
 * without the insert time `projected_at`: equal for two read models of the same events.
 */
export async function tableContents(client: ClickHouseClient): Promise<Record<string, string[]>> {
  const contents: Record<string, string[]> = {};
  for (const table of REPLAYED_TABLES) {
    const columns = await client.query({
      query:
        "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = {table:String} AND default_kind != 'MATERIALIZED' AND name != 'projected_at' ORDER BY position",
      query_params: { table },
      format: 'JSONEachRow',
    });
    const names = (await columns.json<{ name: string }>()).map((row) => `\`${row.name}\``).join(', ');
    const rows = await client.query({ query: `SELECT DISTINCT ${names} FROM ${table} FINAL`, format: 'JSONEachRow' });
    contents[table] = (await rows.json<Record<string, unknown>>()).map((row) => JSON.stringify(row)).sort();
  }
  return contents;
}
