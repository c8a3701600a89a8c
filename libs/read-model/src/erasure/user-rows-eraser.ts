import { ClickHouseClient } from '@clickhouse/client';
import { TableDefinition } from '../schema';
import { UserRowsScope, UserTable, userRowsWhere, userTables } from './user-rows';

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

  constructor(
    private readonly client: ClickHouseClient,
    tables?: readonly TableDefinition[],
  ) {
    this.tables = userTables(tables);
  }

  /** The user's rows in each table (duplicates not yet merged away counted as rows: they are rows to delete). */
  async count(scope: UserRowsScope): Promise<RowCounts> {
    const counts: RowCounts = {};
    for (const table of this.tables) {
      const { where, params } = userRowsWhere(table, scope);
      const result = await this.client.query({ query: `SELECT count() AS n FROM ${table.name} WHERE ${where}`, query_params: params, format: 'JSONEachRow' });
      const [row] = await result.json<{ n: string | number }>();
      counts[table.name] = Number(row?.n ?? 0);
    }
    return counts;
  }

  /** Deletes the user's rows in each table that has some (by `counts`, from `count`); resolves once they are gone for readers. */
  async delete(scope: UserRowsScope, counts: RowCounts): Promise<void> {
    for (const table of this.tables) {
      if ((counts[table.name] ?? 0) === 0) continue;
      const { where, params } = userRowsWhere(table, scope);
      await this.client.command({
        query: `DELETE FROM ${table.name} WHERE ${where}`,
        query_params: params,
        clickhouse_settings: { mutations_sync: '2' },
      });
    }
  }
}
