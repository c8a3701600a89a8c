import { GroupCommitWriter } from './group-commit-writer';
import { SqliteConnection, openEmbeddedDatabase } from './sqlite-database';

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

  it('keeps a failure state while the store refuses writes (disk full), cleared by the next good commit', async () => {
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    db.exec('CREATE TABLE pad (s TEXT)');
    const pad = db.prepare('INSERT INTO pad (s) VALUES (?)');
    const filler = 'x'.repeat(4000);
    // SQLite's own ceiling on the file's size: past it every page allocation fails with
    // SQLITE_FULL, exactly as when the disk is full.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);

    expect(writer.failures.snapshot).toEqual({ failing: false, consecutiveFailures: 0 });
    // The table's one page takes the first row; the next ones need pages there are none of.
    const outcomes = [];
    for (let i = 0; i < 4; i += 1)
      outcomes.push(
        await writer
          .run(() => pad.run(filler))
          .then(
            () => 'ok',
            (error: { code: string }) => error.code,
          ),
      );
    expect(outcomes).toEqual(['ok', 'SQLITE_FULL', 'SQLITE_FULL', 'SQLITE_FULL']);
    const failing = writer.failures.snapshot;
    expect(failing).toMatchObject({ failing: true, consecutiveFailures: 3, failingSince: expect.any(Number), lastError: expect.stringContaining('full') });

    // A job refusing its own write (a constraint) says nothing about the disk.
    db.pragma('max_page_count = 1000000');
    await writer.run(() => insert.run(1));
    expect(writer.failures.snapshot).toEqual({ failing: false, consecutiveFailures: 0 });
    const refusal = await writer
      .run(() => insert.run(1))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refusal).toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' });
    expect(writer.failures.snapshot.failing).toBe(false);
  });

  it('commits what is queued on close and refuses writes afterwards', async () => {
    const pending = writer.run(() => db.prepare('INSERT INTO t (v) VALUES (9)').run());
    writer.close();
    await pending;
    await expect(writer.run(() => undefined)).rejects.toThrow('closed');
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1);
  });
});
