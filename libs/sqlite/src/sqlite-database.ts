import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EMBEDDED_MIGRATIONS } from './embedded-schema';

export type SqliteConnection = Database.Database;

/**
 * Opens the embedded database in WAL mode with `synchronous = NORMAL`: a COMMIT writes
 * the WAL without waiting for the disk, and GroupCommitWriter makes each group durable
 * with an fdatasync of the WAL in libuv's thread pool before it answers anyone (see
 * wal-sync.ts for why that is as durable as FULL). So write to this database through a
 * GroupCommitWriter, which is what lets the API answer 201 once a write is on disk.
 * Should the file not take WAL mode, it stays at FULL (SQLite syncs at each commit).
 */
export function openEmbeddedDatabase(path: string): SqliteConnection {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  const journalMode = String(db.pragma('journal_mode = WAL', { simple: true })).toLowerCase();
  db.pragma(journalMode === 'wal' ? 'synchronous = NORMAL' : 'synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  // Checkpoint the WAL back into the main file every 10,000 pages (~40 MB) instead of
  // SQLite's default 1,000: the checkpoint runs inside a commit on the event loop, and
  // pages written again and again (the identifier index, the tables' last pages) are
  // copied once per checkpoint, so fewer, larger checkpoints cost less in total.
  // Durability is unchanged (checkpoints sync the WAL before and the main file after).
  db.pragma('wal_autocheckpoint = 10000');
  // A larger cache keeps the consumer's reads of fresh events in memory.
  db.pragma('cache_size = -65536');
  migrate(db);
  return db;
}

function migrate(db: SqliteConnection): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let version = current; version < EMBEDDED_MIGRATIONS.length; version += 1) {
    db.transaction(() => {
      db.exec(EMBEDDED_MIGRATIONS[version]);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

/**
 * Runs a write outside the group-commit writer so that it is on disk when this returns,
 * as every commit was under FULL: the connection syncs at commit for this one write
 * (that fsync also covers every WAL frame before it). For rare bookkeeping writes that
 * the code relies on synchronously (the replay journal); hot paths go through
 * GroupCommitWriter, which syncs off the event loop instead.
 */
export function commitDurablyNow<T>(db: SqliteConnection, write: () => T): T {
  const previous = db.pragma('synchronous', { simple: true }) as number;
  if (previous >= 2 || db.inTransaction) return write();
  db.pragma('synchronous = FULL');
  try {
    return write();
  } finally {
    db.pragma(`synchronous = ${previous}`);
  }
}
