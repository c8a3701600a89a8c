import { StartupError } from '@waymark/config';
import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The file in DATA_DIR whose lock says a Waymark process has the directory. */
export const DATA_DIR_LOCK_FILE = 'waymark.lock';

export interface DataDirLock {
  readonly path: string;
  /** Lets the directory go (the kernel also does when the process dies). */
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
  since: string;
}

/**
 * DATA_DIR is held by another live process. Its own class, not only a message, so a
 * caller that can say more (the CLI: "stop the service first") tells it apart from a
 * DATA_DIR that is not writable, where that advice would be wrong.
 */
export class DataDirLockedError extends StartupError {
  override name = 'DataDirLockedError';

  constructor(
    readonly dataDir: string,
    /** Undefined when the holder was between its two steps and its pid could not be read. */
    readonly holderPid: number | undefined,
    message: string,
  ) {
    super('DATA_DIR', message);
  }
}

/**
 * Held locks stay referenced from here until released: a connection nobody refers to
 * is closed by the garbage collector, which would let DATA_DIR go while the process
 * still uses it (main() returns long before the process ends).
 */
const HELD = new Set<Database.Database>();

/**
 * Takes DATA_DIR for this process, or stops start-up with one line naming DATA_DIR.
 *
 * Why a lock of our own: the embedded stores do not refuse a second process cleanly.
 * SQLite in WAL mode lets two services write the same log (each with its own
 * group-commit writer and projector), and chDB fails only later, deep in module set-up,
 * with "Failed to create connection for path", after the second process has already
 * opened SQLite and the token keys. One lock, taken before anything is opened, turns
 * that into a plain refusal.
 *
 * Why this kind of lock: a pid file alone must guess whether its pid is stale (after
 * kill -9, or a container restarted on the same volume, the pid belongs to someone
 * else or to us). The lock here is SQLite's own file lock (fcntl) on `waymark.lock`:
 * the kernel drops it when the process dies, however it dies, so it is never stale
 * and there is nothing to clean up. The holder's pid is written inside only so the
 * refusal can name it. The file is not the event log: `waymark` commands that only
 * read SQLite (export, dlq, lag) still work beside a running service, while those that
 * need the stores to themselves (migrate, replay --data-dir, log repair) take this lock
 * too, so they are refused by name and pid instead of failing inside chDB.
 *
 * Writing the lock file is also the check that DATA_DIR can be written at all, done
 * by writing rather than by asking (`access()` says yes to root on a read-only mount).
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const path = join(dataDir, DATA_DIR_LOCK_FILE);
  let db: Database.Database;
  try {
    mkdirSync(dataDir, { recursive: true });
    // Created by hand first for the file system's own reason (EROFS, EACCES, ENOSPC)
    // when it refuses: SQLite would only say it cannot open the file.
    closeSync(openSync(path, 'a'));
    db = new Database(path);
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, host TEXT NOT NULL, since TEXT NOT NULL)');
  } catch (error) {
    throw notWritable(dataDir, error);
  }
  try {
    claim(db, dataDir);
  } catch (error) {
    db.close();
    throw error;
  }
  HELD.add(db);
  return {
    path,
    release: () => {
      HELD.delete(db);
      if (db.open) db.close();
    },
  };
}

/**
 * Holds a write transaction for the life of the process: a RESERVED lock, which other
 * processes cannot take but under which they can still read who holds it. The pid is
 * committed first (a commit releases the lock for a moment; a process that takes it
 * in between holds it, and this one then reports that process).
 */
function claim(db: Database.Database, dataDir: string): void {
  // No waiting to take the lock: a held lock is an answer, not a delay.
  db.pragma('busy_timeout = 0');
  if (!tryBegin(db)) throw locked(dataDir, db);
  try {
    db.prepare('DELETE FROM holder').run();
    db.prepare('INSERT INTO holder (pid, host, since) VALUES (?, ?, ?)').run(process.pid, hostname(), new Date().toISOString());
    // The commit needs readers (a process reading the holder) out of the way briefly.
    db.pragma('busy_timeout = 2000');
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw notWritable(dataDir, error);
  }
  db.pragma('busy_timeout = 0');
  if (!tryBegin(db)) throw locked(dataDir, db);
}

function tryBegin(db: Database.Database): boolean {
  try {
    db.exec('BEGIN IMMEDIATE');
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') return false;
    throw error;
  }
}

function locked(dataDir: string, db: Database.Database): DataDirLockedError {
  const holder = readHolder(db);
  const who = holder ? `pid ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`}, since ${holder.since}` : 'pid unknown';
  return new DataDirLockedError(dataDir, holder?.pid, `DATA_DIR ${dataDir} is used by another Waymark process (${who})`);
}

function readHolder(db: Database.Database): Holder | undefined {
  try {
    db.pragma('busy_timeout = 2000');
    return db.prepare('SELECT pid, host, since FROM holder').get() as Holder | undefined;
  } catch {
    // The holder is between its two steps; the refusal stands without its pid.
    return undefined;
  }
}

function notWritable(dataDir: string, error: unknown): StartupError {
  const { code, message } = error as { code?: string; message?: string };
  const reason = REASONS[code ?? ''] ?? (message ?? String(error)).replace(`${code}: `, '');
  return new StartupError('DATA_DIR', `DATA_DIR ${dataDir} is not writable (${code ?? 'error'}: ${reason})`);
}

const REASONS: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a directory',
  // What a recursive mkdir reports on a read-only file system, among others.
  ENOENT: 'the directory cannot be created',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  SQLITE_READONLY: 'read-only file system or file',
  SQLITE_CANTOPEN: 'cannot create files there',
  SQLITE_FULL: 'no space left on the device',
};
