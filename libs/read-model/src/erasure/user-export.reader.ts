import { ClickHouseClient } from '@clickhouse/client';
import { fromClickHouseDateTime, toClickHouseDateTime } from '../event-rows';

export interface ExportedSession {
  env: string;
  tag: string;
  sessionId: string;
  startedAt: string | null;
  lastEventAt: string;
  endsAt: string | null;
  revokedAt: string | null;
  /** The SessionStarted's sealed data (compact JWE), for the caller to open. */
  sealedData: string | null;
}

export interface ExportedEvent {
  id: string;
  type: string;
  version: number;
  occurredAt: string;
  env: string;
  tag: string;
  sessionId: string;
  data: Record<string, unknown>;
  meta: Record<string, unknown>;
}

interface SessionRow {
  env: string;
  tag: string;
  sid: string;
  started_at: string | null;
  last_at: string;
  ends_at: string | null;
  revoked_at: string | null;
}

interface EventRow {
  id: string;
  type: string;
  version: number;
  occurred_at: string;
  env: string;
  tag: string;
  session_id: string;
  data: string;
  meta: string;
}

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const USER = 'product = {product:String} AND identifier = {identifier:String}';

/**
 * One user's sessions and events from the read model (GET /v1/users/export), in pages,
 * so an export of any size holds one page in memory: sessions by id, events in time
 * order (keyset on occurred_at and event_id, duplicates not yet merged away dropped).
 */
export class UserExportReader {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly pageSize = 1_000,
  ) {}

  async *sessions(product: string, identifier: string): AsyncGenerator<ExportedSession> {
    let after = NIL_UUID;
    for (;;) {
      const rows = await this.rows<SessionRow>(
        `SELECT env, tag, toString(session_id) AS sid, min(started_at) AS started_at, max(last_at) AS last_at,
                max(ends_at) AS ends_at, min(revoked_at) AS revoked_at
         FROM sessions WHERE ${USER} AND session_id > {after:UUID}
         GROUP BY env, tag, session_id ORDER BY session_id LIMIT {limit:UInt32}`,
        { product, identifier, after, limit: this.pageSize },
      );
      if (rows.length === 0) return;
      const sealed = await this.sealedData(
        product,
        identifier,
        rows.map((row) => row.sid),
      );
      for (const row of rows) {
        yield {
          env: row.env,
          tag: row.tag,
          sessionId: row.sid,
          startedAt: row.started_at ? fromClickHouseDateTime(row.started_at) : null,
          lastEventAt: fromClickHouseDateTime(row.last_at),
          endsAt: row.ends_at ? fromClickHouseDateTime(row.ends_at) : null,
          revokedAt: row.revoked_at ? fromClickHouseDateTime(row.revoked_at) : null,
          sealedData: sealed.get(row.sid) ?? null,
        };
      }
      if (rows.length < this.pageSize) return;
      after = rows[rows.length - 1].sid;
    }
  }

  async *events(product: string, identifier: string): AsyncGenerator<ExportedEvent> {
    let after: { at: string; id: string } | undefined;
    for (;;) {
      const rows = await this.rows<EventRow>(
        `SELECT toString(event_id) AS id, type, version, occurred_at, env, tag, toString(session_id) AS session_id, data, meta
         FROM events WHERE ${USER}
           ${after ? "AND (occurred_at, event_id) > ({at:DateTime64(3, 'UTC')}, {id:UUID})" : ''}
         ORDER BY occurred_at, event_id
         LIMIT 1 BY event_id
         LIMIT {limit:UInt32}`,
        { product, identifier, limit: this.pageSize, ...(after ? { at: toClickHouseDateTime(after.at), id: after.id } : {}) },
      );
      for (const row of rows) {
        yield {
          id: row.id,
          type: row.type,
          version: Number(row.version),
          occurredAt: fromClickHouseDateTime(row.occurred_at),
          env: row.env,
          tag: row.tag,
          sessionId: row.session_id,
          data: JSON.parse(row.data) as Record<string, unknown>,
          meta: JSON.parse(row.meta) as Record<string, unknown>,
        };
      }
      if (rows.length < this.pageSize) return;
      const last = rows[rows.length - 1];
      after = { at: fromClickHouseDateTime(last.occurred_at), id: last.id };
    }
  }

  private async sealedData(product: string, identifier: string, sessionIds: string[]): Promise<Map<string, string>> {
    const rows = await this.rows<{ sid: string; sealed: string }>(
      `SELECT toString(session_id) AS sid, any(JSONExtractString(data, 'sealedData')) AS sealed
       FROM events WHERE ${USER} AND type = 'SessionStarted' AND session_id IN {ids:Array(UUID)}
       GROUP BY session_id`,
      { product, identifier, ids: sessionIds },
    );
    return new Map(rows.filter((row) => row.sealed !== '').map((row) => [row.sid, row.sealed]));
  }

  private async rows<T>(query: string, params: Record<string, unknown>): Promise<T[]> {
    const result = await this.client.query({ query, query_params: params, format: 'JSONEachRow' });
    return result.json<T>();
  }
}
