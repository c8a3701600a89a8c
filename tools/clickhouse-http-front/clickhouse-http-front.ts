/**
 * Test-only HTTP front on chDB: speaks the part of ClickHouse's HTTP interface that
 * `@clickhouse/client` uses, so several Waymark processes can share one read model in
 * tests the way they share a ClickHouse server in a deployment (a chDB data directory
 * can be open in one process only). Never a deployment: see docs/clickhouse-test-front.md
 * for what it speaks and what it does not.
 *
 *   node -r ./bench/support/ts-register.js tools/clickhouse-http-front/clickhouse-http-front.ts --path DIR --port 0
 *
 * prints one line `{"url":"http://127.0.0.1:PORT"}` once it listens, and on SIGTERM or
 * SIGINT stops listening, finishes the request in hand and closes the chDB session.
 */
import { Session } from 'chdb';
import { randomUUID } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { brotliCompressSync, brotliDecompressSync, deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';

/** The line printed on stdout once the front listens. */
export interface FrontReadyLine {
  url: string;
}

export interface FrontOptions {
  path: string;
  port: number;
  host: string;
}

/** ClickHouse's HTTP default when neither the SQL nor `default_format` names one. */
const DEFAULT_FORMAT = 'TabSeparated';

/**
 * URL parameters the server's HTTP handler consumes itself; everything else that is not
 * `param_*` is a setting. The compression and progress ones are settings on a real
 * server but only steer the HTTP layer, which here is this file, and chDB rejects
 * some of them (chdb/connection drops the same list).
 */
const HTTP_HANDLER_PARAMS = new Set([
  'query',
  'query_id',
  'database',
  'default_format',
  'session_id',
  'session_timeout',
  'session_check',
  'user',
  'password',
  'quota_key',
  'role',
  'buffer_size',
  'wait_end_of_query',
  'compress',
  'decompress',
  'stacktrace',
  'enable_http_compression',
  'http_zlib_compression_level',
  'http_response_compression_method',
  'http_native_compression_disable_checksumming_on_decompress',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'http_send_progress_interval_ms',
  'http_response_buffer_size',
]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const NOT_IMPLEMENTED = 48;
const BAD_ARGUMENTS = 36;
const STD_EXCEPTION = 1001;

/** The server's exceptionCodeToHTTPStatus for the codes our queries can meet; the rest are 500. */
const STATUS_BY_CODE = new Map<number, number>([
  ...[6, 25, 26, 27, 38, 41, 53, 62, 72, 117, 130, 456, 457].map((code) => [code, 400] as [number, number]),
  ...[46, 47, 50, 56, 60, 63, 73, 81, 115].map((code) => [code, 404] as [number, number]),
  [NOT_IMPLEMENTED, 501],
]);

const CONTENT_TYPES: Array<[RegExp, string]> = [
  [/^JSON/i, 'application/json; charset=UTF-8'],
  [/^(TabSeparated|TSV)/i, 'text/tab-separated-values; charset=UTF-8'],
  [/^CSV/i, 'text/csv; charset=UTF-8; header=absent'],
];

/** A failure answered the way ClickHouse answers it: code, message, HTTP status. */
class FrontError extends Error {
  constructor(
    readonly code: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface Summary {
  read_rows: string;
  read_bytes: string;
  written_rows: string;
  written_bytes: string;
  total_rows_to_read: string;
  result_rows: string;
  result_bytes: string;
  elapsed_ns: string;
}

interface Answer {
  body: Buffer;
  format: string;
  summary: Summary;
}

/** One request, already read off the socket and decoded. */
interface Statement {
  sql: string;
  format: string;
  settings: Map<string, string>;
  params: Map<string, string>;
}

export class ClickHouseHttpFront {
  private readonly session: Session;
  private readonly server: Server;
  /** chDB is one engine with session-wide settings: requests run one after another. */
  private queue: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;
  /** The engine's time zone, sent as X-ClickHouse-Timezone (the client reads DateTime text in it). */
  private timezone = 'UTC';
  /** Requests being answered, each settled once its response is written out. */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: FrontOptions) {
    this.session = new Session(options.path);
    this.server = createServer((request, response) => {
      // Once closing, a request on a kept-alive socket meets what a stopped server gives: a reset.
      if (this.closing) {
        request.socket.destroy();
        return;
      }
      const handled = this.handle(request, response);
      this.inFlight.add(handled);
      void handled.finally(() => this.inFlight.delete(handled));
    });
    // The client keeps sockets alive for 2.5 s by default; a longer server-side idle
    // timeout (the server's default is 10 s) means the client, not we, closes them.
    this.server.keepAliveTimeout = 10_000;
  }

  async listen(): Promise<FrontReadyLine> {
    this.timezone = (await this.session.queryAsync('SELECT timezone()', { format: 'TabSeparatedRaw' })).text().trim();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    return { url: `http://${this.options.host}:${port}` };
  }

  /**
   * Stops accepting, answers the requests already taken, then closes the chDB session
   * (closing it under a running query would abort the engine).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeIdleConnections();
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      await this.queue;
      this.server.closeAllConnections();
      await stopped;
      this.session.close();
    })();
    return this.closing;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://front');
    const queryId = url.searchParams.get('query_id') || randomUUID();
    try {
      if (request.method === 'GET' && (url.pathname === '/ping' || (url.pathname === '/' && !url.searchParams.has('query')))) {
        await send(response.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8' }), 'Ok.\n');
        return;
      }
      if (url.pathname !== '/') throw new FrontError(NOT_IMPLEMENTED, 'NOT_IMPLEMENTED', `The test front serves / and /ping only, not ${url.pathname}`);
      if (request.method !== 'GET' && request.method !== 'POST') {
        throw new FrontError(NOT_IMPLEMENTED, 'NOT_IMPLEMENTED', `HTTP method ${request.method} is not served`);
      }
      const body = decodeBody(request.headers['content-encoding'], await readBody(request));
      const statement = toStatement(url.searchParams, request.method === 'GET' ? undefined : body);
      const answer = await this.serialise(() => this.run(statement));
      const encoding = url.searchParams.get('enable_http_compression') === '1' ? pickEncoding(request.headers['accept-encoding']) : undefined;
      response.writeHead(200, {
        'Content-Type': contentType(answer.format),
        'X-ClickHouse-Query-Id': queryId,
        'X-ClickHouse-Format': answer.format,
        'X-ClickHouse-Timezone': this.timezone,
        'X-ClickHouse-Summary': JSON.stringify(answer.summary),
        ...(encoding ? { 'Content-Encoding': encoding } : {}),
      });
      await send(response, encoding ? encode(encoding, answer.body) : answer.body);
    } catch (error) {
      const failure = toFrontError(error);
      if (response.headersSent) {
        response.destroy();
        return;
      }
      response.writeHead(STATUS_BY_CODE.get(failure.code) ?? 500, {
        'Content-Type': 'text/plain; charset=UTF-8',
        'X-ClickHouse-Query-Id': queryId,
        'X-ClickHouse-Exception-Code': String(failure.code),
      });
      await send(response, `${failure.message}\n`);
    }
  }

  private serialise<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Runs one statement with its settings and parameters scoped to it: the chDB session
   * keeps `SET` values between calls, so they are set just before and reset just after,
   * whatever the statement did. Parameters go in as `SET param_x = '<wire value>'`, the
   * exact text the client put in the URL, so the engine parses them as a server would
   * (a bound value is reparsed for its declared type, arrays and all); chDB clears every
   * parameter after any parameterised call, which is how they are reset.
   */
  private async run(statement: Statement): Promise<Answer> {
    const assignments = [
      ...[...statement.settings].map(([name, value]) => `${name} = ${quote(value)}`),
      ...[...statement.params].map(([name, value]) => `param_${name} = ${quote(value)}`),
    ];
    try {
      if (assignments.length > 0) await this.session.queryAsync(`SET ${assignments.join(', ')}`, { format: 'TabSeparated' });
      const started = process.hrtime.bigint();
      const result = await this.session.queryAsync(statement.sql, { format: statement.format });
      const body = Buffer.from(result.bytes());
      return {
        body,
        format: statement.format,
        summary: {
          read_rows: String(result.rowsRead),
          read_bytes: String(result.bytesRead),
          // chDB reports no written counts; a real server's are unknown here, so 0.
          written_rows: '0',
          written_bytes: '0',
          total_rows_to_read: '0',
          result_rows: '0',
          result_bytes: String(body.length),
          elapsed_ns: String(process.hrtime.bigint() - started),
        },
      };
    } finally {
      // One by one, so that an unknown setting (whose SET failed) does not keep the
      // others from being reset; its own reset fails the same way and is ignored.
      for (const name of statement.settings.keys()) {
        await this.session.queryAsync(`SET ${name} = DEFAULT`, { format: 'TabSeparated' }).catch(() => undefined);
      }
      if (statement.params.size > 0) await this.session.queryBindAsync('SELECT 1', { reset: '' }, { format: 'TabSeparated' });
    }
  }
}

/** URL + body → the SQL to run, the same way the server's HTTP handler reads them. */
function toStatement(search: URLSearchParams, body: Buffer | undefined): Statement {
  const urlQuery = search.get('query');
  const text = body && body.length > 0 ? body.toString('utf8') : '';
  // A query in the URL is followed by the body (an INSERT's rows); otherwise the body is the query.
  const sql = urlQuery !== null ? (text ? `${urlQuery}\n${text}` : urlQuery) : text;
  if (!sql.trim()) throw new FrontError(BAD_ARGUMENTS, 'BAD_ARGUMENTS', 'Empty query');
  const database = search.get('database');
  if (database !== null && database !== 'default') {
    throw new FrontError(NOT_IMPLEMENTED, 'NOT_IMPLEMENTED', `The test front serves the default database only, not ${database}`);
  }
  if (search.has('session_id')) throw new FrontError(NOT_IMPLEMENTED, 'NOT_IMPLEMENTED', 'The test front has no HTTP sessions (session_id)');
  const settings = new Map<string, string>();
  const params = new Map<string, string>();
  for (const [key, value] of search) {
    if (key.startsWith('param_')) {
      const name = key.slice('param_'.length);
      if (!IDENTIFIER.test(name)) throw new FrontError(457, 'BAD_QUERY_PARAMETER', `Bad query parameter name: ${JSON.stringify(name)}`);
      params.set(name, value);
    } else if (!HTTP_HANDLER_PARAMS.has(key)) {
      if (!IDENTIFIER.test(key)) throw new FrontError(115, 'UNKNOWN_SETTING', `Unknown setting ${JSON.stringify(key)}`);
      settings.set(key, value);
    }
  }
  return { sql, format: search.get('default_format') || DEFAULT_FORMAT, settings, params };
}

/**
 * Ends the response; settles once it is written out or its connection is gone. A client
 * that gave up while its query ran has left a closed socket, whose 'close' has already
 * fired: waiting for it would keep the request in flight, and SIGTERM waiting, forever.
 */
function send(response: ServerResponse, body: Buffer | string): Promise<void> {
  return new Promise((resolve) => {
    if (response.destroyed || !response.socket || response.socket.destroyed) {
      resolve();
      return;
    }
    response.once('close', () => resolve());
    response.once('finish', () => resolve());
    response.end(body);
  });
}

/** A ClickHouse string literal holding `value` verbatim. */
function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
    request.once('close', () => {
      if (!request.complete) reject(new Error('the client closed the connection before sending the whole request'));
    });
  });
}

function decodeBody(encoding: string | undefined, body: Buffer): Buffer {
  switch (encoding?.trim().toLowerCase()) {
    case undefined:
    case '':
    case 'identity':
      return body;
    case 'gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    default:
      throw new FrontError(NOT_IMPLEMENTED, 'NOT_IMPLEMENTED', `Request Content-Encoding ${encoding} is not supported by the test front`);
  }
}

function pickEncoding(accept: string | undefined): 'gzip' | 'deflate' | 'br' | undefined {
  const offered = (accept ?? '').split(',').map((entry) => entry.split(';')[0].trim().toLowerCase());
  return (['gzip', 'deflate', 'br'] as const).find((encoding) => offered.includes(encoding));
}

function encode(encoding: 'gzip' | 'deflate' | 'br', body: Buffer): Buffer {
  if (encoding === 'gzip') return gzipSync(body);
  if (encoding === 'deflate') return deflateSync(body);
  return brotliCompressSync(body);
}

function contentType(format: string): string {
  return CONTENT_TYPES.find(([pattern]) => pattern.test(format))?.[1] ?? 'text/plain; charset=UTF-8';
}

/** chDB's messages are already `Code: N. DB::Exception: … (TYPE)`; anything else gets that shape. */
function toFrontError(error: unknown): FrontError {
  if (error instanceof FrontError) {
    return new FrontError(error.code, error.type, `Code: ${error.code}. DB::Exception: ${error.message}. (${error.type})`);
  }
  const message = error instanceof Error ? error.message : String(error);
  const match = /^Code: (\d+)\./.exec(message);
  if (match) return new FrontError(Number(match[1]), '', message);
  const code = (error as { clickhouseCode?: number }).clickhouseCode ?? STD_EXCEPTION;
  return new FrontError(code, 'STD_EXCEPTION', `Code: ${code}. DB::Exception: ${message}. (STD_EXCEPTION)`);
}

function parseArgs(argv: readonly string[]): FrontOptions {
  const options: FrontOptions = { path: '', port: 0, host: '127.0.0.1' };
  for (let index = 0; index < argv.length; index += 2) {
    const [flag, value] = [argv[index], argv[index + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--path') options.path = value;
    else if (flag === '--port') options.port = Number(value);
    else if (flag === '--host') options.host = value;
    else throw new Error(`unknown option ${flag}`);
  }
  if (!options.path) throw new Error('--path DIR is required (the chDB data directory)');
  if (!Number.isInteger(options.port) || options.port < 0) throw new Error('--port must be a port number, or 0 for a free one');
  return options;
}

async function main(): Promise<void> {
  const front = new ClickHouseHttpFront(parseArgs(process.argv.slice(2)));
  const stop = () => {
    front.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`clickhouse-http-front: close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const ready = await front.listen();
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`clickhouse-http-front: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
