import { ClickHouseClient, createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { scopeSettingsPerCall } from './chdb-scoped-settings';

/** Nest injection token for the read model's ClickHouse client. */
export const CLICKHOUSE = Symbol('CLICKHOUSE');

type ClientConnection = NonNullable<Parameters<typeof createClient>[0]> extends { connection?: infer C } ? C : never;

export type ReadModelConnection =
  | { kind: 'chdb'; path: string }
  | { kind: 'server'; url: string };

/**
 * The same `@clickhouse/client` object in both modes; only the connection differs:
 * chDB in process (embedded) or a ClickHouse server over HTTP (distributed). Every
 * query and insert above this line is identical in both.
 */
export function createReadModelClient(connection: ReadModelConnection, requestTimeoutMs = 30_000): ClickHouseClient {
  if (connection.kind === 'chdb') {
    // chdb types its connection against @clickhouse/client-common, which the client
    // bundles a structurally identical copy of; the cast bridges the two declarations.
    const chdb = scopeSettingsPerCall(createChdbConnection({ path: connection.path })) as unknown as ClientConnection;
    return createClient({ connection: chdb, request_timeout: requestTimeoutMs });
  }
  return createClient({ url: connection.url, request_timeout: requestTimeoutMs });
}
