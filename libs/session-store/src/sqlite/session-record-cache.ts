import { SessionRecord } from '@waymark/domain';

/**
 * The session records this process read or changed last, so a refresh (or extend, or
 * revoke) of a recent session skips the SQLite read: each autocommit SELECT takes and
 * drops the WAL read lock and parses the row, 8% of refresh's main thread. Write-through:
 * the store puts a record only once its commit is durable and forgets it when a
 * compare-and-set fails, so a read from here is never newer than SQLite and at worst as
 * old as a read racing the commit; the compare-and-set in SQLite still decides every
 * change. Only this process writes the database while it runs (DATA_DIR's lock).
 * Records are frozen: one object is handed to every caller. Bounded: the entry written
 * or read longest ago makes room.
 */
export class SessionRecordCache {
  private readonly records = new Map<string, SessionRecord>();

  constructor(private readonly maxEntries = 8192) {}

  get(sessionId: string): SessionRecord | undefined {
    return this.records.get(sessionId);
  }

  put(record: SessionRecord): SessionRecord {
    Object.freeze(record.spentRefreshTokenHashes);
    if (record.spentRefreshTokenTimes) Object.freeze(record.spentRefreshTokenTimes);
    Object.freeze(record);
    // Delete first so the entry moves to the young end.
    this.records.delete(record.sessionId);
    if (this.records.size >= this.maxEntries) {
      const oldest = this.records.keys().next();
      if (!oldest.done) this.records.delete(oldest.value);
    }
    this.records.set(record.sessionId, record);
    return record;
  }

  forget(sessionId: string): void {
    this.records.delete(sessionId);
  }
}
