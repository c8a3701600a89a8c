import { ClickHouseClient } from '@clickhouse/client';
import { TableDefinition } from '../schema';
import { UserFootprint, UserRowsScope, UserTable, userRowsWhere, userTables } from './user-rows';
import { deleteTarget } from '../cluster/cluster-client';

/** Where the footprint is read from: sorted by user, and deleted from last (a retry after a crash mid-way still finds it). */
const FOOTPRINT_TABLE = 'events';

/** Rows per table, by table name. */
export type RowCounts = Record<string, number>;

/**
 * Deletes one user's rows from every table of the read model (issue 17's erasure).
 *
 * Lightweight `DELETE FROM` (chDB and servers since 23.3 for every MergeTree engine the
 * read model uses): the rows are masked at once for every reader and dropped from disk
 * when their parts merge next. `mutations_sync = 2` makes each statement return only
 * once its mask is written on every replica, so a count right after it finds nothing.
 * Each statement is idempotent: a retry after a crash deletes what is left, if anything.
 */
export class UserRowsEraser {
  private readonly tables: UserTable[];
  /** Set once a server refused `lightweight_delete_mode` (an older ClickHouse). */
  private patchUnsupported = false;

  constructor(
    private readonly client: ClickHouseClient,
    tables?: readonly TableDefinition[],
  ) {
    // The footprint's table last: see FOOTPRINT_TABLE.
    this.tables = userTables(tables).sort((a, b) => Number(a.name === FOOTPRINT_TABLE) - Number(b.name === FOOTPRINT_TABLE));
  }

  /** The envs, tags and time span of the user's events in scope; undefined when they have none (then no table has rows of theirs). */
  async footprint(scope: UserRowsScope): Promise<UserFootprint | undefined> {
    const table = this.tables.find((candidate) => candidate.name === FOOTPRINT_TABLE);
    if (!table) return undefined;
    const { where, params } = userRowsWhere(table, scope);
    const result = await this.client.query({
      query: `SELECT groupUniqArray(env) AS envs, groupUniqArray(tag) AS tags, toString(min(occurred_at)) AS from, toString(max(occurred_at)) AS to,
                     count() AS n
              FROM ${table.name} WHERE ${where}`,
      query_params: params,
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ envs: string[]; tags: string[]; from: string; to: string; n: string | number }>();
    if (!row || Number(row.n) === 0) return undefined;
    return { envs: [...row.envs].sort(), tags: [...row.tags].sort(), from: row.from, to: row.to };
  }

  /** The user's rows in each table (duplicates not yet merged away counted as rows: they are rows to delete). */
  async count(scope: UserRowsScope, footprint?: UserFootprint): Promise<RowCounts> {
    const counts: RowCounts = {};
    if (!footprint) {
      for (const table of this.tables) counts[table.name] = 0;
      return counts;
    }
    for (const table of this.tables) {
      const { where, params } = userRowsWhere(table, scope, footprint);
      const result = await this.client.query({ query: `SELECT count() AS n FROM ${table.name} WHERE ${where}`, query_params: params, format: 'JSONEachRow' });
      const [row] = await result.json<{ n: string | number }>();
      counts[table.name] = Number(row?.n ?? 0);
    }
    return counts;
  }

  /** Deletes the user's rows in each table that has some (by `counts`, from `count`), `events` last; resolves once they are gone for readers. */
  async delete(scope: UserRowsScope, footprint: UserFootprint | undefined, counts: RowCounts): Promise<void> {
    if (!footprint) return;
    for (const table of this.tables) {
      if ((counts[table.name] ?? 0) === 0) continue;
      const { where, params } = userRowsWhere(table, scope, footprint);
      await this.deleteWhere(table.name, where, params);
    }
  }

  /**
   * One DELETE. `lightweight_delete_mode = 'lightweight_update'` writes a patch part (a
   * few ms) where the table allows it (tables with `enable_block_number_column` and
   * `enable_block_offset_column`, not Aggregating ones), and is the usual lightweight
   * delete mutation elsewhere (~0.5 s per table at 1 M events). A server that does not
   * know the setting gets the DELETE without it.
   */
  private async deleteWhere(table: string, where: string, params: Record<string, unknown>): Promise<void> {
    const query = `DELETE FROM ${deleteTarget(this.client, table)} WHERE ${where}`;
    if (this.patchUnsupported) {
      await this.client.command({ query, query_params: params, clickhouse_settings: { mutations_sync: '2' } });
      return;
    }
    try {
      await this.client.command({ query, query_params: params, clickhouse_settings: { mutations_sync: '2', lightweight_delete_mode: 'lightweight_update' } });
    } catch (error) {
      if (!/lightweight_delete_mode/.test((error as Error).message) || !/unknown setting/i.test((error as Error).message)) throw error;
      this.patchUnsupported = true;
      await this.client.command({ query, query_params: params, clickhouse_settings: { mutations_sync: '2' } });
    }
  }
}
