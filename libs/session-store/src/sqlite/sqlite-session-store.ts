import { EventEnvelope, RevokeReason, SessionRecord } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { GroupCommitWriter, SqliteConnection } from '@waymark/sqlite';
import {
  ErasedSessions,
  IdentifierSessionsQuery,
  RevokedSession,
  SessionStore,
  SessionUse,
  UserSessionsQuery,
  holdsPersonalData,
  tombstoneOf,
} from '../session-store.port';
import { SessionRecordCache } from './session-record-cache';

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
  token_ttl_ms: number;
  refresh_ttl_ms: number;
  absolute_expires_at: number;
  idle_timeout_ms: number;
  last_used_at: number;
  sealed_data: string;
  refresh_token_hash: string;
  spent_hashes: string;
  spent_times: string | null;
  rotated_at: number | null;
  last_refresh_sealed: string | null;
  generation: number;
  version: number;
  revoked_at: number | null;
  revoke_reason: RevokeReason | null;
  dpop_jkt: string | null;
}

const COLUMNS = [
  'session_id',
  'product',
  'env',
  'tag',
  'identifier',
  'status',
  'started_at',
  'expires_at',
  'refresh_expires_at',
  'token_ttl_ms',
  'refresh_ttl_ms',
  'absolute_expires_at',
  'idle_timeout_ms',
  'last_used_at',
  'sealed_data',
  'refresh_token_hash',
  'spent_hashes',
  'spent_times',
  'rotated_at',
  'last_refresh_sealed',
  'generation',
  'version',
  'revoked_at',
  'revoke_reason',
  'dpop_jkt',
] as const;

/** Session state in the embedded database, written in the same transaction as its events. */
export class SqliteSessionStore implements SessionStore {
  private readonly insert;
  private readonly replace;
  private readonly selectById;
  private readonly countByIdentifier;
  private readonly selectByIdentifier;
  private readonly selectRevoked;
  private readonly selectOfUser;
  private readonly deleteById;
  private readonly moveLastUse;
  private readonly revokedListeners: Array<(revoked: RevokedSession) => void> = [];
  private readonly cache = new SessionRecordCache();

  constructor(
    private readonly db: SqliteConnection,
    private readonly writer: GroupCommitWriter,
    private readonly eventLog: SqliteEventLog,
  ) {
    // A session row is rewritten on every refresh and revocation, and SQLite leaves the
    // bytes of a replaced cell in the page's free space: those copies hold the user's
    // identifier, which an erasure must leave nowhere in the file. FAST zeroes freed cell
    // content inside pages (no extra I/O); eraseSessions turns the full mode on for its
    // own transaction, which also zeroes whole pages it frees.
    db.pragma('secure_delete = FAST');
    // Bound by position, not by name: better-sqlite3 looks each named parameter up on the
    // object (and the update spread the row into a fresh one), ~5 µs more per statement.
    this.insert = db.prepare(`INSERT INTO sessions (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`);
    this.replace = db.prepare(
      `UPDATE sessions SET ${COLUMNS.slice(1)
        // A use recorded by recordUses while this change was decided is never undone.
        .map((c) => (c === 'last_used_at' ? `${c} = max(${c}, ?)` : `${c} = ?`))
        .join(', ')} WHERE session_id = ? AND version = ?`,
    );
    this.selectById = db.prepare('SELECT * FROM sessions WHERE session_id = ?');
    const byIdentifier = `FROM sessions WHERE product = @product AND env = @env AND tag = @tag AND identifier = @identifier
       AND (@live_at IS NULL OR (status = 'active' AND refresh_expires_at > @live_at))`;
    this.countByIdentifier = db.prepare(`SELECT count(*) ${byIdentifier}`).pluck();
    this.selectByIdentifier = db.prepare(`SELECT * ${byIdentifier} ORDER BY started_at DESC, session_id LIMIT @limit OFFSET @offset`);
    this.selectOfUser = db.prepare('SELECT * FROM sessions WHERE product = ? AND identifier = ?');
    this.deleteById = db.prepare('DELETE FROM sessions WHERE session_id = ?');
    this.moveLastUse = db.prepare('UPDATE sessions SET last_used_at = ? WHERE session_id = ? AND last_used_at < ?');
    this.selectRevoked = db
      .prepare('SELECT session_id, revoked_at, refresh_expires_at FROM sessions WHERE revoked_at IS NOT NULL AND refresh_expires_at > ?')
      .raw();
  }

  // Not cached here: a new session is refreshed minutes later, if ever, and caching every
  // start kept thousands of records alive just long enough to reach the old generation.
  async create(record: SessionRecord, events: readonly EventEnvelope[]): Promise<void> {
    await this.eventLog.prepareAppend(events);
    return this.writer.run(() => {
      this.insert.run(record.sessionId, ...columnValues(record));
      this.eventLog.appendWithin(events);
    });
  }

  async find(sessionId: string): Promise<SessionRecord | undefined> {
    const cached = this.cache.get(sessionId);
    if (cached) return cached;
    const row = this.selectById.get(sessionId) as SessionRow | undefined;
    return row && this.cache.put(toRecord(row));
  }

  async update(record: SessionRecord, expectedVersion: number, events: readonly EventEnvelope[]): Promise<boolean> {
    let updated: boolean;
    try {
      await this.eventLog.prepareAppend(events);
      updated = await this.writer.run(() => {
        if (this.replace.run(...columnValues(record), record.sessionId, expectedVersion).changes === 0) return false;
        this.eventLog.appendWithin(events);
        return true;
      });
    } catch (error) {
      this.cache.forget(record.sessionId);
      throw error;
    }
    // A lost compare-and-set means the cached record (if any) is stale: the caller re-reads.
    if (updated) this.cache.put(record);
    else this.cache.forget(record.sessionId);
    if (updated && record.status === 'revoked' && record.revokedAt !== null) {
      const revoked = { sessionId: record.sessionId, revokedAt: record.revokedAt, refreshExpiresAt: record.refreshExpiresAt };
      for (const listener of this.revokedListeners) listener(revoked);
    }
    return updated;
  }

  /**
   * One transaction for the batch, through the group-commit writer like every write. The
   * cached record (frozen) is replaced by a copy with the use, so a refresh decided from
   * the cache sees it too.
   */
  async recordUses(uses: readonly SessionUse[]): Promise<void> {
    if (uses.length === 0) return;
    await this.writer.run(() => {
      for (const use of uses) this.moveLastUse.run(use.lastUsedAt, use.sessionId, use.lastUsedAt);
    });
    for (const use of uses) {
      const cached = this.cache.get(use.sessionId);
      if (cached && cached.lastUsedAt < use.lastUsedAt) this.cache.put({ ...cached, lastUsedAt: use.lastUsedAt });
    }
  }

  async listByIdentifier(query: IdentifierSessionsQuery): Promise<{ total: number; records: SessionRecord[] }> {
    const params = {
      product: query.product,
      env: query.env,
      tag: query.tag,
      identifier: query.identifier,
      live_at: query.liveAt ?? null,
    };
    const total = this.countByIdentifier.get(params) as number;
    const rows = this.selectByIdentifier.all({ ...params, limit: query.limit, offset: query.offset }) as SessionRow[];
    return { total, records: rows.map(toRecord) };
  }

  async listRevoked(now: number): Promise<RevokedSession[]> {
    return (this.selectRevoked.all(now) as Array<[string, number, number]>).map(([sessionId, revokedAt, refreshExpiresAt]) => ({
      sessionId,
      revokedAt,
      refreshExpiresAt,
    }));
  }

  onRevoked(listener: (revoked: RevokedSession) => void): void {
    this.revokedListeners.push(listener);
  }

  async listOfUser(query: UserSessionsQuery): Promise<SessionRecord[]> {
    const envs = query.envs && query.envs.length > 0 ? new Set(query.envs) : undefined;
    const tags = query.tags && query.tags.length > 0 ? new Set(query.tags) : undefined;
    return (this.selectOfUser.all(query.product, query.identifier) as SessionRow[])
      .map(toRecord)
      .filter((record) => (!envs || envs.has(record.env)) && (!tags || tags.has(record.tag)));
  }

  async eraseSessions(sessionIds: readonly string[], now: number): Promise<ErasedSessions> {
    const outcome = await this.writer.run(() => {
      const previous = this.db.pragma('secure_delete', { simple: true }) as number;
      this.db.pragma('secure_delete = ON');
      try {
        const done: ErasedSessions = { erased: 0, live: [] };
        for (const sessionId of sessionIds) {
          const row = this.selectById.get(sessionId) as SessionRow | undefined;
          const record = row && toRecord(row);
          if (!record) {
            done.erased += 1;
          } else if (record.refreshExpiresAt <= now) {
            // Past its end no token of it is valid: nothing to keep refusing.
            this.deleteById.run(sessionId);
            done.erased += 1;
          } else if (record.status !== 'revoked') {
            done.live.push(sessionId);
          } else {
            if (holdsPersonalData(record)) {
              const tombstone = tombstoneOf(record);
              this.replace.run(...columnValues(tombstone), sessionId, record.version);
            }
            done.erased += 1;
          }
        }
        return done;
      } finally {
        // 1 is ON, 2 is FAST: set back to what the constructor chose.
        this.db.pragma(`secure_delete = ${previous === 1 ? 'ON' : previous === 2 ? 'FAST' : 'OFF'}`);
      }
    });
    for (const sessionId of sessionIds) this.cache.forget(sessionId);
    // The WAL still holds the pages as they were before: copy the zeroed pages back into
    // the main file and empty the WAL, so no earlier frame keeps the old rows.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return outcome;
  }
}

/** Every column after `session_id`, in COLUMNS' order. */
function columnValues(record: SessionRecord): unknown[] {
  return [
    record.product,
    record.env,
    record.tag,
    record.identifier,
    record.status,
    record.startedAt,
    record.expiresAt,
    record.refreshExpiresAt,
    record.tokenTtlMs,
    record.refreshTtlMs,
    record.absoluteExpiresAt,
    record.idleTimeoutMs,
    record.lastUsedAt,
    record.sealedData,
    record.refreshTokenHash,
    JSON.stringify(record.spentRefreshTokenHashes),
    record.spentRefreshTokenTimes ? JSON.stringify(record.spentRefreshTokenTimes) : null,
    record.rotatedAt,
    record.lastRefreshSealed,
    record.generation,
    record.version,
    record.revokedAt,
    record.revokeReason,
    record.jkt ?? null,
  ];
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
    tokenTtlMs: row.token_ttl_ms,
    refreshTtlMs: row.refresh_ttl_ms,
    absoluteExpiresAt: row.absolute_expires_at,
    idleTimeoutMs: row.idle_timeout_ms,
    lastUsedAt: row.last_used_at,
    sealedData: row.sealed_data,
    refreshTokenHash: row.refresh_token_hash,
    spentRefreshTokenHashes: JSON.parse(row.spent_hashes) as string[],
    ...(row.spent_times === null ? {} : { spentRefreshTokenTimes: JSON.parse(row.spent_times) as number[] }),
    rotatedAt: row.rotated_at,
    lastRefreshSealed: row.last_refresh_sealed,
    generation: row.generation,
    version: row.version,
    revokedAt: row.revoked_at,
    revokeReason: row.revoke_reason,
    ...(row.dpop_jkt === null ? {} : { jkt: row.dpop_jkt }),
  };
}
