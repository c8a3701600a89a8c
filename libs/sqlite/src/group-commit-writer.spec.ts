import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GroupCommitWriter } from './group-commit-writer';
import { SqliteConnection, openEmbeddedDatabase } from './sqlite-database';
import { DurabilitySync, WalFileSync } from './wal-sync';

// The module object itself (not an import's copy), so that a spy replaces what wal-sync.ts calls.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs = require('node:fs') as typeof import('node:fs');

/** A sync the test finishes by hand; it records what was committed when each one started. */
class ManualSync implements DurabilitySync {
  readonly started: Array<{ rows: number; inTransaction: boolean; finish: () => void; fail: (error: Error) => void }> = [];
  running = 0;
  maxRunning = 0;
  closedAfter: number | undefined;

  constructor(private readonly db: SqliteConnection) {}

  sync(): Promise<void> {
    this.running += 1;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    return new Promise((resolve, reject) => {
      const done = () => (this.running -= 1);
      this.started.push({
        rows: this.db.prepare('SELECT count(*) FROM t').pluck().get() as number,
        inTransaction: this.db.inTransaction,
        finish: () => {
          done();
          resolve();
        },
        fail: (error) => {
          done();
          reject(error);
        },
      });
    });
  }

  async close(): Promise<void> {
    this.closedAfter = this.started.length;
  }
}

/** Lets every callback, promise continuation and immediate that is ready run (a few turns of the loop). */
const settle = async () => {
  for (let turn = 0; turn < 3; turn += 1) await new Promise((resolve) => setImmediate(resolve));
};

function track<T>(promise: Promise<T>) {
  const state = { settled: false as false | 'resolved' | 'rejected', value: undefined as unknown };
  promise.then(
    (value) => Object.assign(state, { settled: 'resolved', value }),
    (error) => Object.assign(state, { settled: 'rejected', value: error }),
  );
  return state;
}

describe('GroupCommitWriter', () => {
  let db: SqliteConnection;
  let writer: GroupCommitWriter;

  beforeEach(() => {
    db = openEmbeddedDatabase(':memory:');
    db.exec('CREATE TABLE t (v INTEGER NOT NULL UNIQUE)');
    writer = new GroupCommitWriter(db);
  });

  afterEach(() => db.close());

  it('commits jobs requested in the same tick as one transaction', async () => {
    const commits: number[] = [];
    writer.onCommit(() => commits.push(db.prepare('SELECT count(*) FROM t').pluck().get() as number));
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');

    await Promise.all(Array.from({ length: 50 }, (_, i) => writer.run(() => insert.run(i))));
    await writer.run(() => insert.run(100));

    expect(commits).toEqual([50, 51]);
  });

  it('rolls back a failing job alone; the others in its group still commit', async () => {
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    const results = await Promise.allSettled([
      writer.run(() => insert.run(1)),
      writer.run(() => {
        insert.run(2);
        insert.run(1); // violates UNIQUE after a write of its own: both must vanish
      }),
      writer.run(() => insert.run(3)),
    ]);

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(db.prepare('SELECT v FROM t ORDER BY v').pluck().all()).toEqual([1, 3]);
  });

  it('resolves with what the job returned, only after commit', async () => {
    const value = await writer.run(() => {
      db.prepare('INSERT INTO t (v) VALUES (7)').run();
      return db.inTransaction;
    });
    expect(value).toBe(true);
    expect(db.inTransaction).toBe(false);
  });

  it('commits what is queued on close and refuses writes afterwards', async () => {
    const pending = writer.run(() => db.prepare('INSERT INTO t (v) VALUES (9)').run());
    await writer.close();
    await pending;
    await expect(writer.run(() => undefined)).rejects.toThrow('closed');
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1);
  });

  it('needs no sync of its own on an in-memory database', async () => {
    const value = await writer.run(() => 1);
    expect(value).toBe(1);
    await expect(writer.durable()).resolves.toBeUndefined();
  });
});

describe('GroupCommitWriter with a sync after COMMIT', () => {
  let db: SqliteConnection;
  let sync: ManualSync;
  let writer: GroupCommitWriter;
  let insert: (v: number) => Promise<unknown>;

  beforeEach(() => {
    db = openEmbeddedDatabase(':memory:');
    db.exec('CREATE TABLE t (v INTEGER NOT NULL UNIQUE)');
    sync = new ManualSync(db);
    writer = new GroupCommitWriter(db, { sync });
    const statement = db.prepare('INSERT INTO t (v) VALUES (?)');
    insert = (v) => writer.run(() => statement.run(v));
  });

  afterEach(() => db.close());

  it('answers a group only once a sync started after its COMMIT has finished', async () => {
    const commits: number[] = [];
    writer.onCommit(({ jobs }) => commits.push(jobs));
    const first = track(insert(1));
    const second = track(insert(2));
    await settle();

    // Committed (both rows visible, no transaction open when the sync began), not answered.
    expect(sync.started).toHaveLength(1);
    expect(sync.started[0]).toMatchObject({ rows: 2, inTransaction: false });
    expect(first.settled).toBe(false);
    expect(second.settled).toBe(false);
    expect(commits).toEqual([]);

    sync.started[0].finish();
    await settle();
    expect(first.settled).toBe('resolved');
    expect(second.settled).toBe('resolved');
    expect(commits).toEqual([2]);
  });

  it('holds writes requested during a sync until it ends, then commits them as one group with a sync of their own', async () => {
    const commits: number[] = [];
    writer.onCommit(({ jobs }) => commits.push(jobs));
    const first = track(insert(1));
    await settle();
    expect(sync.started).toHaveLength(1);

    const second = track(insert(2));
    await settle();
    const third = track(insert(3));
    await settle();
    // The running sync may predate any COMMIT made now, so nothing more is committed yet.
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1);
    expect(sync.started).toHaveLength(1);

    sync.started[0].finish();
    await settle();
    expect(first.settled).toBe('resolved');
    expect(second.settled).toBe(false);
    expect(third.settled).toBe(false);
    // Both committed together, and a new sync started after that COMMIT.
    expect(sync.started).toHaveLength(2);
    expect(sync.started[1]).toMatchObject({ rows: 3, inTransaction: false });

    sync.started[1].finish();
    await settle();
    expect(second.settled).toBe('resolved');
    expect(third.settled).toBe('resolved');
    expect(commits).toEqual([1, 2]);
    expect(sync.maxRunning).toBe(1);
  });

  it('answers a job that failed after the sync too, with its own error', async () => {
    const failing = track(writer.run(() => { throw new Error('job failed'); }));
    await settle();
    expect(failing.settled).toBe(false);
    sync.started[0].finish();
    await settle();
    expect(failing.settled).toBe('rejected');
    expect((failing.value as Error).message).toBe('job failed');
  });

  it('rejects the group when its sync fails, and refuses every later write', async () => {
    const first = track(insert(1));
    await settle();
    sync.started[0].fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await settle();
    expect(first.settled).toBe('rejected');
    expect((first.value as Error).message).toMatch(/could not make its writes durable.*EIO/);

    await expect(insert(2)).rejects.toThrow(/could not make its writes durable/);
    await expect(writer.durable()).rejects.toThrow(/could not make its writes durable/);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1);
  });

  it('rejects the writes waiting for the next sync when the running one fails, without committing them', async () => {
    const first = track(insert(1));
    await settle();
    const second = track(insert(2));
    await settle();
    sync.started[0].fail(new Error('EIO'));
    await settle();
    expect(first.settled).toBe('rejected');
    expect(second.settled).toBe('rejected');
    expect(sync.started).toHaveLength(1);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1);
  });

  it('durable() is immediate with nothing unsynced, else waits for a sync that covers every commit so far', async () => {
    await expect(writer.durable()).resolves.toBeUndefined();
    expect(sync.started).toHaveLength(0);

    const first = track(insert(1));
    await settle();
    // The running sync started after that COMMIT: it covers what a reader sees now.
    const reader = track(writer.durable());
    await settle();
    expect(reader.settled).toBe(false);
    sync.started[0].finish();
    await settle();
    expect(first.settled).toBe('resolved');
    expect(reader.settled).toBe('resolved');
    await expect(writer.durable()).resolves.toBeUndefined();
    expect(sync.started).toHaveLength(1);

    // A reader during the next group's sync waits for that sync.
    const second = track(insert(2));
    await settle();
    const later = track(writer.durable());
    await settle();
    expect(later.settled).toBe(false);
    sync.started[1].finish();
    await settle();
    expect(second.settled).toBe('resolved');
    expect(later.settled).toBe('resolved');
  });

  it('close commits what is queued and resolves only after its sync, then closes the sync', async () => {
    const pending = track(insert(9));
    const closed = track(writer.close());
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1);
    await settle();
    expect(closed.settled).toBe(false);
    expect(sync.closedAfter).toBeUndefined();
    sync.started[0].finish();
    await settle();
    expect(pending.settled).toBe('resolved');
    expect(closed.settled).toBe('resolved');
    expect(sync.closedAfter).toBe(1);
  });
});

describe('GroupCommitWriter on an embedded database file', () => {
  let dir: string;
  let db: SqliteConnection;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'waymark-gcw-'));
    db = openEmbeddedDatabase(join(dir, 'waymark.db'));
    db.exec('CREATE TABLE t (v INTEGER NOT NULL UNIQUE)');
  });

  afterEach(() => {
    jest.restoreAllMocks();
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens WAL with synchronous = NORMAL and answers only after fdatasync of the -wal file, off the event loop', async () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    const writer = new GroupCommitWriter(db);
    const order: string[] = [];
    const realFdatasync = fs.fdatasync;
    const spy = jest.spyOn(fs, 'fdatasync').mockImplementation(((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
      order.push(`sync started, rows ${db.prepare('SELECT count(*) FROM t').pluck().get()}, ino ${fs.fstatSync(fd).ino === fs.statSync(join(dir, 'waymark.db-wal')).ino}`);
      realFdatasync(fd, (error) => {
        order.push('sync done');
        callback(error);
      });
    }) as typeof fs.fdatasync);

    await Promise.all([1, 2, 3].map((v) => writer.run(() => db.prepare('INSERT INTO t (v) VALUES (?)').run(v)).then(() => order.push(`answered ${v}`))));

    expect(spy).toHaveBeenCalledTimes(1);
    expect(order).toEqual(['sync started, rows 3, ino true', 'sync done', 'answered 1', 'answered 2', 'answered 3']);
    await writer.close();
    db.close();
  });

  it('a sync before any WAL file exists has nothing to flush', async () => {
    db.close();
    // Reopened after a clean close: SQLite removed the WAL; a read-only group creates none.
    const sync = new WalFileSync(join(dir, 'missing.db-wal'));
    await expect(sync.sync()).resolves.toBeUndefined();
    await sync.close();
    await expect(sync.sync()).rejects.toThrow('closed');
  });
});
