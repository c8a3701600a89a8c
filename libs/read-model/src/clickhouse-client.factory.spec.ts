import { ClickHouseClient } from '@clickhouse/client';
import { Logger, LoggerService } from '@nestjs/common';
import { join } from 'node:path';
import { ClickHouseTestServer, startClickHouseServer } from '../../../test/support/clickhouse-server';
import { makeTempDir } from '../../../test/support/temp-dir';
import { createReadModelClient } from './clickhouse-client.factory';

/** A value only a refused row holds: it must appear in no log line. */
const SECRET = 'secret-user-7d1c';

interface Line {
  level: string;
  fields: unknown;
  text: unknown;
  context: unknown;
}

/**
 * The client's own log (its default writes a failed request, with ClickHouse's message,
 * through console.error): a refused insert prints nothing to the console and reaches
 * Nest's logger at debug, with the error's code and name but not the row it quoted.
 * Over HTTP (the test ClickHouse front), where the client logs every failed request, and
 * on chDB in process.
 */
describe("createReadModelClient: the client's log", () => {
  jest.setTimeout(60_000);
  const dir = makeTempDir('clickhouse-client-log');
  let server: ClickHouseTestServer;
  const lines: Line[] = [];
  const consoleCalls: unknown[][] = [];
  const spies: jest.SpyInstance[] = [];

  beforeAll(async () => {
    server = await startClickHouseServer();
    const keep = (level: string) => (fields: unknown, text?: unknown, context?: unknown) => void lines.push({ level, fields, text, context });
    const recording: LoggerService = {
      log: keep('log'),
      error: keep('error'),
      warn: keep('warn'),
      debug: keep('debug'),
      verbose: keep('verbose'),
      fatal: keep('fatal'),
    };
    Logger.overrideLogger(recording);
    for (const method of ['error', 'warn', 'info', 'debug', 'log', 'trace'] as const) {
      spies.push(jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void consoleCalls.push([method, ...args])));
    }
  });

  afterAll(async () => {
    for (const spy of spies) spy.mockRestore();
    Logger.overrideLogger(true);
    await server?.stop();
    dir.remove();
  });

  beforeEach(() => {
    lines.length = 0;
    consoleCalls.length = 0;
  });

  async function insertRefused(client: ClickHouseClient): Promise<unknown> {
    await client.command({ query: 'CREATE TABLE IF NOT EXISTS refusals (who String, at DateTime64(3)) ENGINE = MergeTree ORDER BY tuple()' });
    try {
      // An impossible date, quoted back by ClickHouse ("unexpected date: ..."), beside a value of the user's.
      await client.insert({ table: 'refusals', values: [[SECRET, '2026-02-30 00:00:00.000']], format: 'JSONCompactEachRow' });
    } catch (error) {
      return error;
    }
    throw new Error('the insert was not refused');
  }

  it('over HTTP: a refused insert is thrown to the caller, printed nowhere, logged at debug by code and name without the row', async () => {
    const client = createReadModelClient({ kind: 'server', url: server.url });
    try {
      const error = (await insertRefused(client)) as { type?: string; message: string };
      expect(error.type).toBe('CANNOT_PARSE_DATETIME');
      expect(consoleCalls).toEqual([]);
      const logged = lines.filter((line) => line.context === 'clickhouse');
      expect(logged).toEqual([
        {
          level: 'debug',
          fields: expect.objectContaining({ operation: 'Insert', err: { name: 'Error', code: '41', type: 'CANNOT_PARSE_DATETIME' } }),
          text: 'Insert: HTTP request error.',
          context: 'clickhouse',
        },
      ]);
      expect(JSON.stringify(lines)).not.toContain('2026-2-30');
      expect(JSON.stringify(lines)).not.toContain(SECRET);
    } finally {
      await client.close();
    }
  });

  it('over HTTP: a refused connection is logged at debug with its message (no user data in it), not printed', async () => {
    const client = createReadModelClient({ kind: 'server', url: 'http://127.0.0.1:1' }, 2000);
    try {
      await expect(client.query({ query: 'SELECT 1' })).rejects.toThrow();
      expect(consoleCalls).toEqual([]);
      const [line] = lines.filter((entry) => entry.context === 'clickhouse');
      expect(line).toMatchObject({
        level: 'debug',
        fields: { operation: 'Query', err: { code: 'ECONNREFUSED', message: expect.stringContaining('ECONNREFUSED') } },
      });
    } finally {
      await client.close();
    }
  });

  it('on chDB: a refused insert prints nothing either', async () => {
    const client = createReadModelClient({ kind: 'chdb', path: join(dir.path, 'chdb') });
    try {
      expect(await insertRefused(client)).toMatchObject({ type: 'CANNOT_PARSE_DATETIME' });
      expect(consoleCalls).toEqual([]);
      expect(JSON.stringify(lines)).not.toContain(SECRET);
    } finally {
      await client.close();
    }
  });
});
