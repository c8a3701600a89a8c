import { ClickHouseClient } from '@clickhouse/client';
import { RetentionCutoff } from '@waymark/config';
import { EVENTS_TABLE, RETAINED_TABLES, RetentionShape, deleteTarget, insertSelectSettings } from '@waymark/read-model';

/** A table retention prunes: its name, its shape, and for a grouped table the view's SELECT that rebuilds a group. */
export interface RetainedTable {
  name: string;
  retention: RetentionShape;
  select?: (events: string) => string;
}

export interface ReadModelPruneResult {
  /** Rows deleted per table (duplicates not merged yet count once each). */
  removed: Record<string, number>;
  /** When the oldest event still in `events` happened (Unix ms); undefined when it is empty. */
  oldestKept: number | undefined;
}

/**
 * Takes events past retention out of every read-model table (docs/retention.md) with
 * lightweight deletes (`DELETE FROM`), not ClickHouse TTL: the cutoff comes from the
 * service's clock, so a test moves it and a changed retention applies to rows already
 * written on the next pass; TTL reads the server's clock, is applied only when parts
 * merge (chDB merges little), and would drop a session's aggregated row whole rather
 * than leave what its remaining events make.
 *
 * `events` goes first: a grouped table rebuilds a group from the events that remain.
 * Each statement is idempotent, so a pass cut short is finished by the next one.
 */
export class ReadModelRetention {
  constructor(
    private readonly clickhouse: ClickHouseClient,
    private readonly tables: readonly RetainedTable[] = RETAINED_TABLES,
  ) {}

  async prune(cutoffs: readonly RetentionCutoff[]): Promise<ReadModelPruneResult> {
    const removed: Record<string, number> = {};
    for (const table of this.tables) {
      removed[table.name] = 0;
      for (const cutoff of cutoffs) removed[table.name] += await this.pruneTable(table, cutoff);
    }
    return { removed, oldestKept: await this.oldestKept() };
  }

  async oldestKept(): Promise<number | undefined> {
    const result = await this.clickhouse.query({
      query: `SELECT toUnixTimestamp64Milli(minOrNull(occurred_at)) AS oldest FROM ${EVENTS_TABLE.name}`,
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ oldest: string | number | null }>();
    return row?.oldest === null || row?.oldest === undefined ? undefined : Number(row.oldest);
  }

  private async pruneTable(table: RetainedTable, cutoff: RetentionCutoff): Promise<number> {
    const scope = scopeOf(cutoff);
    const shape = table.retention;
    const old = shape.kind === 'events' ? `${shape.time} < ${BEFORE}${shape.where === undefined ? '' : ` AND ${shape.where}`}` : `${shape.first} < ${BEFORE}`;
    const count = await this.count(table.name, `${scope.sql} AND ${old}`, scope.params);
    if (count === 0) return 0;
    if (shape.kind === 'groups') await this.rebuildStraddling(table, shape, scope);
    await this.clickhouse.command({
      query: `DELETE FROM ${deleteTarget(this.clickhouse, table.name)} WHERE ${scope.sql} AND ${old}`,
      query_params: scope.params,
    });
    return count;
  }

  /**
   * Inserts, for each group with a row that holds events on both sides of the cutoff, the
   * row its remaining events make (newer than the cutoff, so the DELETE that follows
   * leaves it). Run again after a crash, it inserts the same min/max again: no change.
   */
  private async rebuildStraddling(table: RetainedTable, shape: Extract<RetentionShape, { kind: 'groups' }>, scope: Scope): Promise<void> {
    if (!table.select) throw new Error(`retention: ${table.name} is grouped but has no SELECT to rebuild a group with`);
    const straddling = `SELECT ${shape.key} FROM ${table.name} WHERE ${scope.sql} AND ${shape.first} < ${BEFORE} AND ${shape.last} >= ${BEFORE}`;
    const remaining = `(SELECT * FROM ${EVENTS_TABLE.name} WHERE ${scope.sql} AND (${shape.keyOfEvents}) IN (${straddling}))`;
    await this.clickhouse.command({
      query: `INSERT INTO ${table.name} ${table.select(remaining)}`,
      query_params: scope.params,
      // The view's SELECT reads MATERIALIZED columns of `events` too (step, status, ...).
      clickhouse_settings: { asterisk_include_materialized_columns: 1, ...insertSelectSettings(this.clickhouse) },
    });
  }

  private async count(table: string, where: string, params: Record<string, unknown>): Promise<number> {
    const result = await this.clickhouse.query({ query: `SELECT count() AS n FROM ${table} WHERE ${where}`, query_params: params, format: 'JSONEachRow' });
    const [row] = await result.json<{ n: string | number }>();
    return Number(row?.n ?? 0);
  }
}

const BEFORE = "fromUnixTimestamp64Milli({before:Int64}, 'UTC')";

interface Scope {
  sql: string;
  params: Record<string, unknown>;
}

/** The rows a cutoff is about: its product, and its env or every env but the overridden ones. */
function scopeOf(cutoff: RetentionCutoff): Scope {
  const params: Record<string, unknown> = { product: cutoff.product, before: cutoff.before };
  if (cutoff.env !== undefined) return { sql: 'product = {product:String} AND env = {env:String}', params: { ...params, env: cutoff.env } };
  return { sql: 'product = {product:String} AND NOT has({except:Array(String)}, env)', params: { ...params, except: cutoff.exceptEnvs } };
}
