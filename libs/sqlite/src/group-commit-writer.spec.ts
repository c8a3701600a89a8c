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

  it('commits what is queued on close and refuses writes afterwards', async () => {
    const pending = writer.run(() => db.prepare('INSERT INTO t (v) VALUES (9)').run());
    writer.close();
    await pending;
    await expect(writer.run(() => undefined)).rejects.toThrow('closed');
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1);
  });
});
