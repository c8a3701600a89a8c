import { ClickHouseClient } from '@clickhouse/client';
import { join } from 'node:path';
import { ClickHouseTestServer, startClickHouseServer } from '../../../test/support/clickhouse-server';
import { makeTempDir } from '../../../test/support/temp-dir';
import { createReadModelClient } from './clickhouse-client.factory';
import { insertRows } from './insert-rows';

/**
 * `insertRows` takes chDB's raw insert in embedded mode and the client's insert over
 * HTTP: the same rows land, a token drops a retried INSERT and only that one, and a
 * refused value is the same `ClickHouseError` (code and name) either way.
 */
describe('insertRows, on chDB (raw insert) and over HTTP (the client)', () => {
  jest.setTimeout(60_000);
  const dir = makeTempDir('insert-rows');
  let server: ClickHouseTestServer;

  beforeAll(async () => {
    server = await startClickHouseServer();
  });

  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  const columns = ['who', 'at', 'n', 'doc'];
  // Text that JSON escapes (quotes, backslash, newline, tab, non-ASCII, a JSON document in a string).
  const rows = [
    ['a "quoted" \\ name', '2026-11-26 17:26:44.498', 1, '{"k":"v\\n","list":[1,2]}'],
    ['line\nbreak\tand tab, ünïcödé ✓', '2026-11-27 00:00:00.000', 2, '{}'],
  ];

  async function exercise(client: ClickHouseClient): Promise<void> {
    await client.command({
      query:
        "CREATE TABLE t (who String, at DateTime64(3, 'UTC'), n UInt32, doc String) ENGINE = MergeTree ORDER BY n SETTINGS non_replicated_deduplication_window = 100",
    });
    await insertRows(client, { table: 't', columns, rows, dedupToken: 'batch-1' });
    await insertRows(client, { table: 't', columns, rows, dedupToken: 'batch-1' }); // a retry: dropped
    await insertRows(client, { table: 't', columns, rows: [rows[0]] }); // no token: kept, the last one did not linger
    await insertRows(client, { table: 't', columns, rows: [] }); // nothing to insert
    const result = await client.query({ query: 'SELECT who, toString(at) AS at, n, doc FROM t ORDER BY n, who', format: 'JSONCompactEachRow' });
    expect(await result.json()).toEqual([rows[0], rows[0], rows[1]].map(([who, at, n, doc]) => [who, at, n, doc]));
    const refused = await insertRows(client, { table: 't', columns, rows: [['x', '2026-02-30 00:00:00.000', 3, '']], dedupToken: 'batch-2' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ code: '41', type: 'CANNOT_PARSE_DATETIME' });
  }

  it('on chDB', async () => {
    const client = createReadModelClient({ kind: 'chdb', path: join(dir.path, 'chdb') });
    try {
      await exercise(client);
    } finally {
      await client.close();
    }
  });

  it('over HTTP', async () => {
    const client = createReadModelClient({ kind: 'server', url: server.url });
    try {
      await exercise(client);
    } finally {
      await client.close();
    }
  });
});
