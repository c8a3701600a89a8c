import { ClickHouseClient, ClickHouseError, createClient } from '@clickhouse/client';
import { LoggedRecord } from '@waymark/event-log';
import { EventsProjection } from '@waymark/projection';
import { JourneyRepository, READ_MODEL_MIGRATIONS, createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ClickHouseTestServer, startClickHouseServer } from '../support/clickhouse-server';
import { sessionStarted } from '../support/events';
import { makeTempDir } from '../support/temp-dir';

const run = promisify(execFile);
const ROOT = join(__dirname, '../..');

/** Identifier with everything that breaks naive SQL building: quotes, a comment, a placeholder, a backslash (no control characters: the envelope check refuses them). */
const AWKWARD = `o'brien" -- {identifier:String} \\ ; DROP TABLE events`;

function records(events: ReturnType<typeof sessionStarted>[]): LoggedRecord[] {
  return events.map((event, index) => ({ position: String(index + 1), raw: JSON.stringify(event) }));
}

async function count(client: ClickHouseClient, where = '1'): Promise<number> {
  const result = await client.query({ query: `SELECT count() AS n FROM events WHERE ${where}`, format: 'JSONEachRow' });
  const [{ n }] = await result.json<{ n: string }>();
  return Number(n);
}

describe('ClickHouse HTTP test front (chDB behind the ClickHouse HTTP interface)', () => {
  let server: ClickHouseTestServer;
  let client: ClickHouseClient;
  const direct = makeTempDir('clickhouse-direct');
  let chdb: ClickHouseClient;

  beforeAll(async () => {
    server = await startClickHouseServer();
    client = createReadModelClient({ kind: 'server', url: server.url });
    chdb = createReadModelClient({ kind: 'chdb', path: join(direct.path, 'chdb') });
  });

  afterAll(async () => {
    await client?.close();
    await chdb?.close();
    await server?.stop();
    direct.remove();
  });

  it('answers ping on /ping and with a SELECT', async () => {
    await expect(client.ping()).resolves.toEqual({ success: true });
    await expect(client.ping({ select: true })).resolves.toEqual({ success: true });
  });

  it('runs the read-model migrations, once', async () => {
    const first = await migrateReadModel(client);
    const latest = READ_MODEL_MIGRATIONS[READ_MODEL_MIGRATIONS.length - 1].version;
    expect(first).toEqual({ applied: READ_MODEL_MIGRATIONS.map(({ version, name }) => ({ version, name })), current: latest });
    await expect(migrateReadModel(client)).resolves.toEqual({ applied: [], current: latest });
    await migrateReadModel(chdb);
  });

  it('projects events and finds the journey exactly as chDB does in process', async () => {
    const at = Date.parse('2026-11-26T10:00:00.000Z');
    const awkwardData = sessionStarted('journey-user', at + 1_000);
    awkwardData.data = { ...awkwardData.data, sealedData: `it's ü→✓ -- {x:String} \\ "q"` };
    const events = [sessionStarted('journey-user', at), awkwardData, sessionStarted(AWKWARD, at + 2_000), sessionStarted('someone-else', at + 3_000)];
    const overHttp = await new EventsProjection(client).project(records(events), 'journey-batch');
    const inProcess = await new EventsProjection(chdb).project(records(events), 'journey-batch');
    expect(overHttp).toEqual({ projected: 4, deadLetters: [] });
    expect(inProcess).toEqual(overHttp);

    for (const identifier of ['journey-user', AWKWARD]) {
      const key = { product: 'my-product-tag', env: 'snd', tag: 'session-tag', identifier };
      const viaFront = await new JourneyRepository(client).find(key, 10);
      const viaChdb = await new JourneyRepository(chdb).find(key, 10);
      expect(viaFront).toEqual(viaChdb);
      expect(viaFront.events.map((event) => event.id)).toEqual(events.filter((event) => event.identifier === identifier).map((event) => event.id));
    }
    const truncated = await new JourneyRepository(client).find({ product: 'my-product-tag', env: 'snd', tag: 'session-tag', identifier: 'journey-user' }, 1);
    expect(truncated.truncated).toBe(true);
    expect(truncated.events).toHaveLength(1);
  });

  it('binds query parameters as the server does, strings, numbers and arrays alike', async () => {
    const result = await client.query({
      query: 'SELECT {s:String} AS s, {n:UInt32} AS n, {a:Array(String)} AS a, {d:DateTime64(3)} AS d, {nothing:Nullable(String)} AS nothing',
      query_params: { s: AWKWARD, n: 42, a: [`it's`, 'x -- y', '{z}', 'back\\slash'], d: '2026-11-26 10:00:00.123', nothing: null },
      format: 'JSONEachRow',
    });
    expect(await result.json()).toEqual([{ s: AWKWARD, n: 42, a: [`it's`, 'x -- y', '{z}', 'back\\slash'], d: '2026-11-26 10:00:00.123', nothing: null }]);
  });

  it('keeps parameters to their request: a placeholder without a value fails as on a server', async () => {
    await client.query({ query: 'SELECT {left_over:String} AS v', query_params: { left_over: 'x' }, format: 'JSONEachRow' });
    const error = await client.query({ query: 'SELECT {left_over:String} AS v', format: 'JSONEachRow' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ClickHouseError);
    expect((error as ClickHouseError).code).toBe('456');
  });

  it('serves concurrent requests one at a time, each with its own parameters', async () => {
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, index) =>
        client
          .query({ query: 'SELECT {i:UInt32} AS i, {s:String} AS s', query_params: { i: index, s: `v'${index}` }, format: 'JSONEachRow' })
          .then((result) => result.json()),
      ),
    );
    expect(answers).toEqual(Array.from({ length: 25 }, (_, index) => [{ i: index, s: `v'${index}` }]));
  });

  it('answers a query with FORMAT JSON, including meta and rows', async () => {
    const result = await client.query({ query: 'SELECT number AS n FROM system.numbers LIMIT 3', format: 'JSON' });
    const body = await result.json<{ n: string | number }>();
    // 64-bit integers are quoted or not by the engine's output_format_json_quote_64bit_integers default.
    expect(body.data.map((row) => Number(row.n))).toEqual([0, 1, 2]);
    expect(body.meta).toEqual([{ name: 'n', type: 'UInt64' }]);
    expect(body.rows).toBe(3);
  });

  it('drops a retried insert with the same deduplication token, and keeps one with a new token', async () => {
    const event = sessionStarted('dedup-user', Date.parse('2026-11-26T11:00:00.000Z'));
    const projection = new EventsProjection(client);
    await projection.project(records([event]), 'dedup-token-1');
    await projection.project(records([event]), 'dedup-token-1');
    expect(await count(client, `identifier = 'dedup-user'`)).toBe(1);
    // The same rows under another token are written: the token, not the rows, decided.
    await projection.project(records([event]), 'dedup-token-2');
    expect(await count(client, `identifier = 'dedup-user'`)).toBe(2);
  });

  it('applies URL settings to their request only', async () => {
    const seen = await client.query({
      query: `SELECT toString(getSetting('max_threads')) AS t`,
      format: 'JSONEachRow',
      clickhouse_settings: { max_threads: 1 },
    });
    expect(await seen.json()).toEqual([{ t: '1' }]);
    const after = await client.query({
      query: `SELECT getSetting('insert_deduplication_token') AS token, getSetting('max_threads') != 1 AS reset`,
      format: 'JSONEachRow',
    });
    expect(await after.json()).toEqual([{ token: '', reset: 1 }]);

    const started = Date.now();
    const error = await client
      .query({ query: 'SELECT count() FROM system.numbers', format: 'JSONEachRow', clickhouse_settings: { max_execution_time: 1 } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ClickHouseError);
    expect((error as ClickHouseError).code).toBe('159');
    expect((error as ClickHouseError).type).toBe('TIMEOUT_EXCEEDED');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('inserts JSONEachRow objects and runs commands: INSERT … SELECT, ALTER, EXCHANGE TABLES, TRUNCATE', async () => {
    await client.command({ query: 'CREATE TABLE IF NOT EXISTS front_a (k UInt32, v String) ENGINE = MergeTree ORDER BY k' });
    await client.command({ query: 'CREATE TABLE IF NOT EXISTS front_b (k UInt32, v String) ENGINE = MergeTree ORDER BY k' });
    await client.insert({
      table: 'front_a',
      values: [
        { k: 1, v: 'one' },
        { k: 2, v: `t'wo` },
      ],
      format: 'JSONEachRow',
    });
    await client.insert({ table: 'front_a', columns: ['k'], values: [[3]], format: 'JSONCompactEachRow' });
    await client.command({ query: `INSERT INTO front_b SELECT k + 10, v FROM front_a WHERE k < 3` });
    await client.command({ query: 'ALTER TABLE front_b ADD COLUMN IF NOT EXISTS extra UInt8 DEFAULT 7' });
    await client.command({ query: 'EXCHANGE TABLES front_a AND front_b' });
    const swapped = await client.query({ query: 'SELECT k, v, extra FROM front_a ORDER BY k', format: 'JSONEachRow' });
    expect(await swapped.json()).toEqual([
      { k: 11, v: 'one', extra: 7 },
      { k: 12, v: `t'wo`, extra: 7 },
    ]);
    await client.command({ query: 'TRUNCATE TABLE front_b' });
    const emptied = await client.query({ query: 'SELECT toUInt8(count()) AS n FROM front_b', format: 'JSONEachRow' });
    expect(await emptied.json()).toEqual([{ n: 0 }]);
  });

  it('streams an exec answer in the format the SQL names', async () => {
    const { stream } = await client.exec({ query: 'SELECT 1 AS one, {s:String} AS s FORMAT JSONEachRow', query_params: { s: 'exec' } });
    let text = '';
    for await (const chunk of stream) text += chunk.toString();
    expect(JSON.parse(text)).toEqual({ one: 1, s: 'exec' });
  });

  it('raises ClickHouseError with the code and type for a bad query, an unknown table and a bad insert', async () => {
    const syntax = await client.query({ query: 'SELEC 1', format: 'JSONEachRow' }).catch((caught: unknown) => caught);
    expect(syntax).toBeInstanceOf(ClickHouseError);
    expect(syntax).toMatchObject({ code: '62', type: 'SYNTAX_ERROR' });

    const unknown = await client.command({ query: 'SELECT * FROM no_such_table' }).catch((caught: unknown) => caught);
    expect(unknown).toBeInstanceOf(ClickHouseError);
    expect(unknown).toMatchObject({ code: '60', type: 'UNKNOWN_TABLE' });

    const badRow = await client
      .insert({ table: 'events', columns: ['event_id'], values: [['not-a-uuid']], format: 'JSONCompactEachRow' })
      .catch((caught: unknown) => caught);
    expect(badRow).toBeInstanceOf(ClickHouseError);
    expect(Number((badRow as ClickHouseError).code)).toBeGreaterThan(0);
  });

  it('speaks compressed requests and responses when the client asks', async () => {
    const compressed = createClient({ url: server.url, compression: { request: true, response: true } });
    try {
      await compressed.insert({ table: 'front_a', values: [{ k: 100, v: 'gzip' }], format: 'JSONEachRow' });
      const result = await compressed.query({ query: 'SELECT v FROM front_a WHERE k = {k:UInt32}', query_params: { k: 100 }, format: 'JSONEachRow' });
      expect(await result.json()).toEqual([{ v: 'gzip' }]);
    } finally {
      await compressed.close();
    }
  });

  it('lets two processes share the data: a child process inserts, this one reads', async () => {
    const child = `
      const { createClient } = require('@clickhouse/client');
      const client = createClient({ url: process.argv[1] });
      client.insert({ table: 'front_a', values: [{ k: 200, v: 'from child ' + process.pid }], format: 'JSONEachRow' })
        .then(() => client.close())
        .then(() => process.stdout.write(String(process.pid)), (error) => { console.error(error); process.exit(1); });
    `;
    const { stdout } = await run(process.execPath, ['-e', child, server.url], { cwd: ROOT });
    const result = await client.query({ query: 'SELECT v FROM front_a WHERE k = 200', format: 'JSONEachRow' });
    expect(await result.json()).toEqual([{ v: `from child ${stdout.trim()}` }]);
  });

  it('keeps serving after a client gives up on a running query, which runs to completion', async () => {
    const controller = new AbortController();
    const abandoned = client.query({ query: 'SELECT sum(sleepEachRow(0.25)) FROM numbers(2)', format: 'JSONEachRow', abort_signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(abandoned).rejects.toThrow();
    const started = Date.now();
    const next = await client.query({ query: 'SELECT {n:UInt8} AS n', query_params: { n: 7 }, format: 'JSONEachRow' });
    expect(await next.json()).toEqual([{ n: 7 }]);
    // No server-side cancellation: the next request waited for the abandoned query.
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('answers the request in hand on SIGTERM, exits cleanly and opens the same data again', async () => {
    const before = await count(client);
    const slow = client.query({ query: 'SELECT sum(sleepEachRow(0.25)) AS slept FROM numbers(4)', format: 'JSONEachRow' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.stop({ keepData: true });
    await expect(slow.then((result) => result.json())).resolves.toEqual([{ slept: 0 }]);
    await server.restart();
    expect(await count(client)).toBe(before);
  });

  it('fails fast with a connection error once killed, and has the data again after a restart on the same directory', async () => {
    const before = await count(client);
    expect(before).toBeGreaterThan(0);
    await server.kill();

    const started = Date.now();
    const error = await client.query({ query: 'SELECT 1', format: 'JSONEachRow' }).catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).not.toBeInstanceOf(ClickHouseError);
    expect((error as NodeJS.ErrnoException).code).toMatch(/^(ECONNREFUSED|ECONNRESET|EPIPE)$/);
    await expect(client.ping()).resolves.toMatchObject({ success: false });

    await server.restart();
    await expect(client.ping()).resolves.toEqual({ success: true });
    expect(await count(client)).toBe(before);
    await expect(migrateReadModel(client)).resolves.toEqual({ applied: [], current: READ_MODEL_MIGRATIONS[READ_MODEL_MIGRATIONS.length - 1].version });
  });
});
