import { ClickHouseClient, parseError } from '@clickhouse/client';
import type { createChdbConnection } from 'chdb/connection';

type ChdbConnection = ReturnType<typeof createChdbConnection>;

/** The chDB connection under each client `createReadModelClient` made for embedded mode. */
const chdbConnections = new WeakMap<ClickHouseClient, ChdbConnection>();

/** Called by `createReadModelClient` only: `client` runs on `connection` in this process. */
export function registerChdbConnection(client: ClickHouseClient, connection: ChdbConnection): void {
  chdbConnections.set(client, connection);
}

export interface RowsInsert {
  /** A table name (an identifier, optionally `db.table`), not a table function. */
  table: string;
  columns: readonly string[];
  /** Positional rows in `columns`' order, as `JSONCompactEachRow` takes them. */
  rows: readonly unknown[][];
  /** `insert_deduplication_token`, scoped to this INSERT. */
  dedupToken?: string;
}

/**
 * One INSERT of positional rows, `JSONCompactEachRow`: the projector's and the replay's
 * write. Where the client runs on chDB in this process (embedded mode), through chDB's
 * raw insert: the body is built here, one `JSON.stringify` per row, and handed to the
 * engine as one Buffer (no copy) that its own parser reads on chDB's thread. The
 * client's path costs more JavaScript on the main thread for the same text (a stream of
 * encoded rows, joined into one string, joined again behind the statement, copied to
 * the engine: ~25% of the embedded projector's main thread in a profile), and its
 * native call starts only after those steps' ticks, so a caller cannot do its own work
 * meanwhile. Here the engine has the INSERT when this returns its promise.
 *
 * Elsewhere (a ClickHouse server over HTTP) the client's `insert`, as before. Either
 * way a refusal is the client's `ClickHouseError` (`code`, `type`), which
 * `valueRefusalOf` reads.
 */
export function insertRows(client: ClickHouseClient, { table, columns, rows, dedupToken }: RowsInsert): Promise<void> {
  if (rows.length === 0) return Promise.resolve();
  const settings = dedupToken !== undefined ? { insert_deduplication_token: dedupToken } : undefined;
  const chdb = chdbConnections.get(client);
  if (!chdb) {
    return client
      .insert({
        table,
        columns: [...columns] as [string, ...string[]],
        values: rows as unknown[][],
        format: 'JSONCompactEachRow',
        clickhouse_settings: settings,
      })
      .then(() => undefined);
  }
  let body = '';
  for (const row of rows) body += JSON.stringify(row) + '\n';
  return chdb.chdb.rawInsert({ table, columns, values: Buffer.from(body), format: 'JSONCompactEachRow', settings }).then(
    () => undefined,
    (error: unknown) => {
      throw clickHouseErrorOf(error);
    },
  );
}

/**
 * chDB's raw insert throws a `ChdbInsertError` whose message is ClickHouse's
 * (`Code: 27. DB::Exception: … (CANNOT_PARSE_INPUT_ASSERTION_FAILED)`); the client
 * parses the same text into a `ClickHouseError` on its own path, and so does this.
 */
function clickHouseErrorOf(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const parsed = parseError(error.message);
  if (parsed !== error && 'type' in parsed) (parsed as Error & { cause?: unknown }).cause = error;
  return 'type' in parsed ? parsed : error;
}
