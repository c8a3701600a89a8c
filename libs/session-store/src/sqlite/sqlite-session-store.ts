import { EventEnvelope, SessionRecord } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { GroupCommitWriter, SqliteConnection } from '@waymark/sqlite';
import { SessionStore } from '../session-store.port';

interface SessionRow {
  session_id: string;
  product: string;
  env: string;
  tag: string;
  identifier: string;
  status: SessionRecord['status'];
  started_at: number;
  expires_at: number;
  refresh_expires_at: number;
  refresh_token_hash: string;
  generation: number;
}

/** Session state in the embedded database, written in the same transaction as its events. */
export class SqliteSessionStore implements SessionStore {
  private readonly insert;
  private readonly selectById;

  constructor(
    db: SqliteConnection,
    private readonly writer: GroupCommitWriter,
    private readonly eventLog: SqliteEventLog,
  ) {
    this.insert = db.prepare(
      `INSERT INTO sessions (session_id, product, env, tag, identifier, status, started_at, expires_at,
                             refresh_expires_at, refresh_token_hash, generation)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectById = db.prepare('SELECT * FROM sessions WHERE session_id = ?');
  }

  create(record: SessionRecord, events: readonly EventEnvelope[]): Promise<void> {
    return this.writer.run(() => {
      this.insert.run(
        record.sessionId,
        record.product,
        record.env,
        record.tag,
        record.identifier,
        record.status,
        record.startedAt,
        record.expiresAt,
        record.refreshExpiresAt,
        record.refreshTokenHash,
        record.generation,
      );
      this.eventLog.appendWithin(events);
    });
  }

  async find(sessionId: string): Promise<SessionRecord | undefined> {
    const row = this.selectById.get(sessionId) as SessionRow | undefined;
    return row && toRecord(row);
  }
}

function toRecord(row: SessionRow): SessionRecord {
  return {
    sessionId: row.session_id,
    product: row.product,
    env: row.env,
    tag: row.tag,
    identifier: row.identifier,
    status: row.status,
    startedAt: row.started_at,
    expiresAt: row.expires_at,
    refreshExpiresAt: row.refresh_expires_at,
    refreshTokenHash: row.refresh_token_hash,
    generation: row.generation,
  };
}
