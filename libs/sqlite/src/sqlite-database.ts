import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EMBEDDED_MIGRATIONS } from './embedded-schema';

export type SqliteConnection = Database.Database;

/**
 * Opens the embedded database in WAL mode with `synchronous = FULL`: a commit returns
 * only once the WAL is on disk, which is what lets the API answer 201 after it.
 * Group commit (see GroupCommitWriter) keeps that to one fsync for many commands.
 */
export function openEmbeddedDatabase(path: string): SqliteConnection {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  // Checkpoint the WAL back into the main file every 10,000 pages (~40 MB) instead of
  // SQLite's default 1,000: the checkpoint runs inside a commit on the event loop, and
  // pages written again and again (the identifier index, the tables' last pages) are
  // copied once per checkpoint, so fewer, larger checkpoints cost less in total.
  // Durability is unchanged (a commit is on disk when it returns, WAL or main file).
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
