import Database from 'better-sqlite3';
import { closeSync, fdatasync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { GroupCommitWriter, SqliteConnection, WriteFailureState } from '@waymark/sqlite';
import { UserKeyRecord } from './user-key';
import { ErasureRecord, UserKeyStore } from './user-key-store.port';

/*
 * A rowid table: each new record is appended at the end, and of its two indexes only the
 * lookup's (an HMAC) takes a random page; subjects begin with their creation time, so
 * their index grows at its end too. A table keyed by the lookup itself (WITHOUT ROWID)
 * dirtied two random pages per new user and measured ~2.7 times slower to insert
 * (88 → 33 µs per record on this machine's disk, 30 records a commit): the WAL pages
 * written per commit are what a new user's start-session pays for.
 */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS user_keys (
    id INTEGER PRIMARY KEY,
    lookup TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL UNIQUE,
    product TEXT NOT NULL,
    sealed_key TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS erasures (
    lookup TEXT PRIMARY KEY,
    product TEXT NOT NULL,
    subject TEXT,
    state TEXT NOT NULL,
    receipt TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;`;

interface KeyRow {
  id: number;
  lookup: string;
  subject: string;
  product: string;
  sealed_key: string;
  created_at: number;
}

interface ErasureRow {
  lookup: string;
  product: string;
  subject: string | null;
  state: ErasureRecord['state'];
  receipt: string;
  updated_at: number;
}

const toRecord = (row: KeyRow): UserKeyRecord => ({
  lookup: row.lookup,
  subject: row.subject,
  product: row.product,
  sealedKey: row.sealed_key,
  createdAt: row.created_at,
});

/** Lookups per IN (…) query: far below SQLite's limit on bound values. */
const CHUNK = 500;

function chunks<T>(values: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < values.length; at += CHUNK) out.push(values.slice(at, at + CHUNK));
  return out;
}

const fdatasyncAsync = promisify(fdatasync);

/**
 * Embedded mode's user keys: their own SQLite file (`keys.db` beside `waymark.db`), so a
 * copy of the log's file never holds the keys that open it. `secure_delete` overwrites
 * a destroyed record's bytes in the file, and the WAL is truncated after each destroy,
 * so no copy of the key stays in the store's files.
 *
 * New keys must be durable before the events that need them: an event whose key was
 * lost would read as erased. They are written by their own group-commit writer (all the
 * users first seen in one turn of the loop in one transaction), with `synchronous =
 * NORMAL`, and then the WAL is synced with fdatasync on libuv's thread pool, which is
 * what `synchronous = FULL` does after a commit, but without blocking the event loop: a
 * second fsync per group on the API's thread (the log's own commit has one) measured
 * as the largest cost of per-user keys on start-session.
 */
export class SqliteUserKeyStore implements UserKeyStore {
  private readonly writer: GroupCommitWriter;
  private readonly insert;
  private readonly selectByLookup;
  private readonly deleteByLookup;
  private readonly upsertErasure;

  /** The WAL's file descriptor, for fdatasync; opened on the first write (SQLite creates the file then). */
  private walFd: number | undefined;
  private syncing: Promise<void> | undefined;
  private syncAgain = false;

  constructor(
    private readonly db: SqliteConnection,
    private readonly walPath?: string,
  ) {
    this.writer = new GroupCommitWriter(db);
    this.insert = db.prepare('INSERT INTO user_keys (lookup, subject, product, sealed_key, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (lookup) DO NOTHING');
    this.selectByLookup = db.prepare('SELECT * FROM user_keys WHERE lookup = ?');
    this.deleteByLookup = db.prepare('DELETE FROM user_keys WHERE lookup = ?');
    this.upsertErasure = db.prepare(
      `INSERT INTO erasures (lookup, product, subject, state, receipt, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (lookup) DO UPDATE SET product = excluded.product, subject = excluded.subject, state = excluded.state,
         receipt = excluded.receipt, updated_at = excluded.updated_at`,
    );
  }

  /** Whether writes to keys.db fail (disk full, I/O error): readiness reads it with the log's. */
  get failures(): WriteFailureState {
    return this.writer.failures;
  }

  static open(path: string): SqliteUserKeyStore {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    // NORMAL: commits do not fsync on the event loop; `durable()` syncs the WAL off it.
    db.pragma(path === ':memory:' ? 'synchronous = FULL' : 'synchronous = NORMAL');
    // FAST: freed space is zeroed where the page is written anyway; `destroy` turns it fully
    // on for its own delete (zeroing every page it frees) and back.
    db.pragma('secure_delete = FAST');
    db.pragma('busy_timeout = 5000');
    // As the log's database: lookups and subjects are random, so each new record lands on
    // a random page of both indexes. With SQLite's default 2 MB cache a start-session of a
    // new user re-read and re-wrote pages evicted since (the store's INSERT was 10% of the
    // API's busy time); 64 MB holds the indexes of millions of users. Fewer, larger
    // checkpoints for the same reason as the log's (sqlite-database.ts).
    db.pragma('cache_size = -65536');
    db.pragma('wal_autocheckpoint = 10000');
    db.exec(SCHEMA);
    return new SqliteUserKeyStore(db, path === ':memory:' ? undefined : `${path}-wal`);
  }

  async createOrGet(records: readonly UserKeyRecord[]): Promise<Map<string, UserKeyRecord>> {
    let inserted = 0;
    const stored = await this.writer.run(() => {
      const kept = new Map<string, UserKeyRecord>();
      for (const record of records) {
        const changes = this.insert.run(record.lookup, record.subject, record.product, record.sealedKey, record.createdAt).changes;
        inserted += changes;
        // Ignored: this lookup has a record already (stored earlier, or by another caller); theirs is the record.
        kept.set(record.lookup, changes === 1 ? record : toRecord(this.selectByLookup.get(record.lookup) as KeyRow));
      }
      return kept;
    });
    if (inserted > 0) await this.durable();
    return stored;
  }

  /**
   * Resolves once every commit made before the call is on disk: one fdatasync of the WAL
   * at a time, on the thread pool; callers arriving while one runs share the next.
   */
  private async durable(): Promise<void> {
    if (this.walPath === undefined) return;
    if (this.syncing !== undefined) {
      this.syncAgain = true;
      while (this.syncing !== undefined) await this.syncing;
      if (!this.syncAgain) return;
    }
    this.syncAgain = false;
    this.syncing = (async () => {
      this.walFd ??= openSync(this.walPath as string, 'r+');
      await fdatasyncAsync(this.walFd);
    })()
      .catch((error: unknown) => {
        // A commit that cannot be made durable is a failing store, as a failed commit is.
        this.writer.failures.recordFailure(error);
        throw error;
      })
      .finally(() => {
        this.syncing = undefined;
      });
    await this.syncing;
  }

  findByLookups(lookups: readonly string[]): Promise<Map<string, UserKeyRecord>> {
    return Promise.resolve(this.findSync('lookup', lookups));
  }

  findBySubjects(subjects: readonly string[]): Promise<Map<string, UserKeyRecord>> {
    return Promise.resolve(this.findSync('subject', subjects));
  }

  /** Prepared `SELECT … WHERE <column> IN (?, …)` per column and count: compiling one per call cost more than running it. */
  private readonly selects = new Map<string, Database.Statement>();

  /** Synchronous lookups (the store is local): by lookup or by subject. */
  findSync(column: 'lookup' | 'subject', values: readonly string[]): Map<string, UserKeyRecord> {
    const found = new Map<string, UserKeyRecord>();
    for (const row of this.rowsWhereIn<KeyRow>('user_keys', column, values)) found.set(column === 'lookup' ? row.lookup : row.subject, toRecord(row));
    return found;
  }

  /** The rows whose `column` is one of `values`, in chunks of CHUNK, through the prepared statements above. */
  private rowsWhereIn<Row>(table: 'user_keys' | 'erasures', column: string, values: readonly string[]): Row[] {
    const rows: Row[] = [];
    for (const chunk of chunks(values.length > 1 ? [...new Set(values)] : values)) {
      const key = `${table}.${column}:${chunk.length}`;
      let statement = this.selects.get(key);
      if (!statement) {
        if (this.selects.size > 64) this.selects.clear();
        statement = this.db.prepare(`SELECT * FROM ${table} WHERE ${column} IN (${chunk.map(() => '?').join(', ')})`);
        this.selects.set(key, statement);
      }
      rows.push(...(statement.all(...chunk) as Row[]));
    }
    return rows;
  }

  async destroy(lookup: string): Promise<UserKeyRecord | undefined> {
    const destroyed = await this.writer.run((db) => {
      const row = this.selectByLookup.get(lookup) as KeyRow | undefined;
      if (row) {
        db.pragma('secure_delete = ON');
        try {
          this.deleteByLookup.run(lookup);
        } finally {
          db.pragma('secure_delete = FAST');
        }
      }
      return row ? toRecord(row) : undefined;
    });
    // The WAL still holds the page as it was before the delete: copy the pages back
    // into the main file (where secure_delete zeroed the record) and empty the WAL. The
    // checkpoint syncs the main file, so the destruction is durable when this returns.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return destroyed;
  }

  async putErasure(erasure: ErasureRecord): Promise<void> {
    await this.writer.run(() => this.upsertErasure.run(erasure.lookup, erasure.product, erasure.subject, erasure.state, erasure.receipt, erasure.updatedAt));
  }

  findErasures(lookups: readonly string[]): Promise<Map<string, ErasureRecord>> {
    const found = new Map<string, ErasureRecord>();
    for (const row of this.rowsWhereIn<ErasureRow>('erasures', 'lookup', lookups)) {
      found.set(row.lookup, {
        lookup: row.lookup,
        product: row.product,
        subject: row.subject,
        state: row.state,
        receipt: row.receipt,
        updatedAt: row.updated_at,
      });
    }
    return Promise.resolve(found);
  }

  async close(): Promise<void> {
    this.writer.close();
    await this.syncing;
    if (this.walFd !== undefined) closeSync(this.walFd);
    this.db.close();
  }
}
