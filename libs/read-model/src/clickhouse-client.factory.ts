import {
  ClickHouseClient,
  ClickHouseLogLevel,
  type ErrorLogParams,
  type LogParams,
  type Logger as ClickHouseLogger,
  type WarnLogParams,
  createClient,
} from '@clickhouse/client';
import { Logger } from '@nestjs/common';
import { createChdbConnection } from 'chdb/connection';
import { scopeSettingsPerCall } from './chdb-scoped-settings';
import { registerCluster } from './cluster/cluster-client';
import { registerChdbConnection } from './insert-rows';

/** Nest injection token for the read model's ClickHouse client. */
export const CLICKHOUSE = Symbol('CLICKHOUSE');

type ClientConnection = NonNullable<Parameters<typeof createClient>[0]> extends { connection?: infer C } ? C : never;

/** `cluster`: the ClickHouse cluster the read model is spread over (CLICKHOUSE_CLUSTER; cluster/cluster-ddl.ts). */
export type ReadModelConnection = { kind: 'chdb'; path: string } | { kind: 'server'; url: string; cluster?: string };

/**
 * The same `@clickhouse/client` object in both modes; only the connection differs:
 * chDB in process (embedded) or a ClickHouse server over HTTP (distributed). Every
 * query and insert above this line is identical in both.
 */
export function createReadModelClient(connection: ReadModelConnection, requestTimeoutMs = 30_000): ClickHouseClient {
  const log = { LoggerClass: ClickHouseClientLog, level: ClickHouseLogLevel.WARN };
  if (connection.kind === 'chdb') {
    // chdb types its connection against @clickhouse/client-common, which the client
    // bundles a structurally identical copy of; the cast bridges the two declarations.
    const chdb = createChdbConnection({ path: connection.path });
    const client = createClient({ connection: scopeSettingsPerCall(chdb) as unknown as ClientConnection, request_timeout: requestTimeoutMs, log });
    // For `insertRows`: on chDB the projector's rows go through its raw insert.
    registerChdbConnection(client, chdb);
    return client;
  }
  if (connection.cluster) {
    // An INSERT into a Distributed table answers once every shard has its rows, not once
    // the receiving node has queued them: the projector commits its offsets after that.
    const client = createClient({ url: connection.url, request_timeout: requestTimeoutMs, log, clickhouse_settings: { distributed_foreground_insert: 1 } });
    registerCluster(client, connection.cluster);
    return client;
  }
  return createClient({ url: connection.url, request_timeout: requestTimeoutMs, log });
}

/**
 * The client's own log lines, into the service's logger (Nest's `Logger`, pino in the
 * apps) rather than the client's default, which writes them with `console.error`.
 *
 * - Its "error" lines say that a request failed. The same error is thrown to the caller,
 *   which logs it where it knows what it means (the projector retries or isolates a
 *   refused value; the API answers 503): written again at error level, every refused
 *   insert and every request during an outage would be logged twice, so they go to
 *   debug.
 * - Its warnings are about the client itself (sockets closed early or kept too long)
 *   and nobody else reports them: warn.
 * - A ClickHouse exception's message can quote the refused row ("unexpected date:
 *   2026-2-30", a server's "Row 1: ..." dump), which is user data: of such an error only
 *   its code and name are logged. Of the client's arguments only scalar ids (operation,
 *   query and connection ids) are kept, not the settings objects.
 */
class ClickHouseClientLog implements ClickHouseLogger {
  private readonly logger = new Logger('clickhouse');

  trace({ module, message, args }: LogParams): void {
    this.logger.verbose({ module, ...scalarsOf(args) }, message);
  }

  debug({ module, message, args }: LogParams): void {
    this.logger.debug({ module, ...scalarsOf(args) }, message);
  }

  info({ module, message, args }: LogParams): void {
    this.logger.debug({ module, ...scalarsOf(args) }, message);
  }

  warn({ module, message, args, err }: WarnLogParams): void {
    this.logger.warn({ module, ...scalarsOf(args), ...(err ? { err: describeError(err) } : {}) }, message);
  }

  error({ module, message, args, err }: ErrorLogParams): void {
    this.logger.debug({ module, ...scalarsOf(args), err: describeError(err) }, message);
  }
}

function scalarsOf(args: Record<string, unknown> | undefined): Record<string, string | number | boolean> {
  const kept: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(args ?? {})) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') kept[name] = value;
  }
  return kept;
}

/** A ClickHouse exception (a `type` such as CANNOT_PARSE_DATETIME) by code and name only; any other error (a refused connection) in full. */
function describeError(err: Error): Record<string, unknown> {
  const { code, type } = err as { code?: unknown; type?: unknown };
  if (typeof type === 'string') return { name: err.name, code, type };
  return { name: err.name, code, message: err.message };
}
