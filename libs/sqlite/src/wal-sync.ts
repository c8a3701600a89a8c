import { close as closeFd, closeSync, fdatasync, fstatSync, fsyncSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { SqliteConnection } from './sqlite-database';

/**
 * What the group-commit writer calls after a COMMIT to make it durable. `sync()` must
 * start its flush at the earliest when it is called (never reuse one already running)
 * and cover every write made to the database before the call.
 */
export interface DurabilitySync {
  sync(): Promise<void>;
  /** Called once no sync is running or will be requested any more. */
  close(): Promise<void>;
}

/**
 * Makes commits durable by `fdatasync` of the database's `-wal` file, run in libuv's
 * thread pool, so the event loop never waits for the disk.
 *
 * Why this is as durable as `synchronous = FULL` for a commit acknowledged only after a
 * sync that was requested after its COMMIT returned (what GroupCommitWriter does):
 *
 * - In WAL mode a commit is a run of frames appended to the `-wal` file with `write()`,
 *   the last one marked as a commit frame; FULL adds one fsync of that file before
 *   COMMIT returns, NORMAL leaves it out. Our `fdatasync` of the same file, started
 *   after COMMIT returned, flushes every byte written to it before the call, the commit
 *   frame and everything before it, plus the file size; that is FULL's fsync, later and
 *   shared. Recovery replays the WAL's frames up to the last valid commit frame, so all
 *   commits up to the synced one come back: a prefix, as with FULL.
 * - Checkpoints under NORMAL still sync: SQLite syncs the WAL before copying frames into
 *   the database file and syncs the database file before it marks them copied. The WAL
 *   restarts from its beginning (new header, new salts) only after a checkpoint copied
 *   everything, so a restart never overwrites a frame that is not already durable in the
 *   database file, and SQLite syncs the new header itself (`syncHeader`, done under
 *   NORMAL too). Commits in a restarted WAL are then covered by our next sync as above.
 * - The descriptor must name the file SQLite writes. SQLite creates `-wal` when the
 *   connection first uses WAL mode and deletes it only when the last connection closes
 *   (or journal_mode leaves WAL, which we never do); while our connection is open the
 *   same inode is reused, restarted and possibly truncated, never replaced. So the file
 *   is opened lazily at the first sync, which follows a COMMIT that wrote to it, checked
 *   against the path's inode, and closed only after the last sync finished (a descriptor
 *   closed under a queued sync could be reused by another file, and the sync would
 *   flush the wrong one). SQLite also syncs the directory after creating the file.
 * - An error from `fdatasync` means written data may be lost, and Linux may not report
 *   it again to a later call; the writer therefore rejects the group and every later
 *   write (fail-stop) rather than acknowledge anything after it.
 *
 * Like FULL without padding, this relies on SQLite's default powersafe-overwrite
 * assumption for the sector shared by a synced commit frame and the next frames.
 */
export class WalFileSync implements DurabilitySync {
  private fd: number | undefined;
  private closed = false;

  constructor(private readonly walPath: string) {}

  sync(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the WAL sync is closed'));
    let fd: number | undefined;
    try {
      fd = this.descriptor();
    } catch (error) {
      return Promise.reject(error);
    }
    // No WAL file: nothing was committed through a WAL since the database was last
    // closed (which checkpointed and synced everything), so there is nothing to flush.
    if (fd === undefined) return Promise.resolve();
    return new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));
  }

  async close(): Promise<void> {
    this.closed = true;
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) await new Promise<void>((resolve) => closeFd(fd, () => resolve()));
  }

  private descriptor(): number | undefined {
    if (this.fd !== undefined) return this.fd;
    let fd: number;
    try {
      fd = openSync(this.walPath, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      if (fstatSync(fd).ino !== statSync(this.walPath).ino) throw new Error(`${this.walPath} changed while it was being opened`);
      // SQLite syncs the directory after creating the WAL; once more here costs one
      // fsync per process and does not depend on how SQLite was compiled.
      const dir = openSync(dirname(this.walPath), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.fd = fd;
    return fd;
  }
}

/**
 * The sync a writer on this connection needs after each COMMIT: an fdatasync of the WAL
 * when the connection is a file in WAL mode with `synchronous = NORMAL` (commits write
 * the WAL without syncing it); nothing when SQLite already syncs at commit (FULL, EXTRA),
 * when durability was turned off (OFF), or for an in-memory database.
 */
export function walSyncFor(db: SqliteConnection): DurabilitySync | undefined {
  if (db.memory) return undefined;
  const journalMode = String(db.pragma('journal_mode', { simple: true })).toLowerCase();
  const synchronous = db.pragma('synchronous', { simple: true }) as number;
  if (journalMode !== 'wal' || synchronous !== 1) return undefined;
  return new WalFileSync(`${db.name}-wal`);
}
