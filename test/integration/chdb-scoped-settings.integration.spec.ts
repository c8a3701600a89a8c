import { ClickHouseClient } from '@clickhouse/client';
import { createReadModelClient } from '@waymark/read-model';
import { join } from 'node:path';
import { makeTempDir } from '../support/temp-dir';

/**
 * chDB's connection runs a call's settings as session-wide `SET`s; the read model's
 * client scopes them to their call again (libs/read-model/src/chdb-scoped-settings.ts).
 * Before that, an INSERT without a dedup token after one with a token was silently
 * dropped as a duplicate.
 */
describe('settings on the embedded ClickHouse client belong to their call', () => {
  const dir = makeTempDir('chdb-settings');
  let client: ClickHouseClient;

  const count = async () => {
    const result = await client.query({ query: 'SELECT count() AS n FROM t', format: 'JSONEachRow' });
    const [row] = await result.json<{ n: string }>();
    return Number(row.n);
  };

  beforeAll(async () => {
    client = createReadModelClient({ kind: 'chdb', path: join(dir.path, 'clickhouse') });
    await client.command({ query: 'CREATE TABLE t (x UInt32) ENGINE = MergeTree ORDER BY x SETTINGS non_replicated_deduplication_window = 100' });
  });

  afterAll(async () => {
    await client?.close();
    dir.remove();
  });

  it('keeps a dedup token to its own insert: a retried insert is dropped, the next one without a token is not', async () => {
    await client.insert({ table: 't', values: [[1]], format: 'JSONCompactEachRow', clickhouse_settings: { insert_deduplication_token: "batch-'1'" } });
    await client.insert({ table: 't', values: [[1]], format: 'JSONCompactEachRow', clickhouse_settings: { insert_deduplication_token: "batch-'1'" } });
    expect(await count()).toBe(1);
    await client.insert({ table: 't', values: [[2]], format: 'JSONCompactEachRow' });
    await client.insert({ table: 't', values: [[3]], format: 'JSONCompactEachRow' });
    expect(await count()).toBe(3);
    await client.command({ query: 'INSERT INTO t SELECT number + 10 FROM numbers(5)' });
    expect(await count()).toBe(8);
  });

  it("sets a query's settings back to their defaults after it", async () => {
    const setting = async (settings?: Record<string, string>) => {
      const result = await client.query({ query: "SELECT getSetting('max_result_rows') AS value", format: 'JSONEachRow', clickhouse_settings: settings });
      const [row] = await result.json<{ value: string | number }>();
      return Number(row.value);
    };
    const before = await setting();
    expect(await setting({ max_result_rows: '12345' })).toBe(12345);
    expect(await setting()).toBe(before);
  });
});
