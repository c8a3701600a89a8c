import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { GroupCommitWriter, SqliteConnection } from '@waymark/sqlite';
import { UserKeyRecord } from './user-key';
import { ErasureRecord, UserKeyStore } from './user-key-store.port';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS user_keys (
    lookup TEXT PRIMARY KEY,
    subject TEXT NOT NULL UNIQUE,
    product TEXT NOT NULL,
    wrapped_key TEXT NOT NULL,
    sealed_identifier TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS erasures (
    lookup TEXT PRIMARY KEY,
    product TEXT NOT NULL,
    subject TEXT,
    state TEXT NOT NULL,
    receipt TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;`;

interface KeyRow {
  lookup: string;
  subject: string;
  product: string;
  wrapped_key: string;
  sealed_identifier: string;
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
  wrappedKey: row.wrapped_key,
  sealedIdentifier: row.sealed_identifier,
  createdAt: row.created_at,
});

/** Lookups per IN (…) query: far below SQLite's limit on bound values. */
const CHUNK = 500;

function chunks<T>(values: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < values.length; at += CHUNK) out.push(values.slice(at, at + CHUNK));
  return out;
}

/**
 * Embedded mode's user keys: their own SQLite file (`keys.db` beside `waymark.db`), so a
 * copy of the log's file never holds the keys that open it. `secure_delete` overwrites
 * a destroyed record's bytes in the file, and the WAL is truncated after each destroy,
 * so no copy of the key stays in the store's files. New keys are written by their own
 * group-commit writer: one fsync for all the users first seen in one turn of the loop,
 * durable before the events that need them are appended.
 */
export class SqliteUserKeyStore implements UserKeyStore {
  private readonly writer: GroupCommitWriter;
  private readonly insert;
  private readonly selectByLookup;
  private readonly deleteByLookup;
  private readonly upsertErasure;

  constructor(private readonly db: SqliteConnection) {
    this.writer = new GroupCommitWriter(db);
    this.insert = db.prepare(
      'INSERT INTO user_keys (lookup, subject, product, wrapped_key, sealed_identifier, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (lookup) DO NOTHING',
    );
    this.selectByLookup = db.prepare('SELECT * FROM user_keys WHERE lookup = ?');
    this.deleteByLookup = db.prepare('DELETE FROM user_keys WHERE lookup = ?');
    this.upsertErasure = db.prepare(
      `INSERT INTO erasures (lookup, product, subject, state, receipt, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (lookup) DO UPDATE SET product = excluded.product, subject = excluded.subject, state = excluded.state,
         receipt = excluded.receipt, updated_at = excluded.updated_at`,
    );
  }

  static open(path: string): SqliteUserKeyStore {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('secure_delete = ON');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    return new SqliteUserKeyStore(db);
  }

  createOrGet(records: readonly UserKeyRecord[]): Promise<Map<string, UserKeyRecord>> {
    return this.writer.run(() => {
      const stored = new Map<string, UserKeyRecord>();
      for (const record of records) {
        this.insert.run(record.lookup, record.subject, record.product, record.wrappedKey, record.sealedIdentifier, record.createdAt);
        stored.set(record.lookup, toRecord(this.selectByLookup.get(record.lookup) as KeyRow));
      }
      return stored;
    });
  }

  findByLookups(lookups: readonly string[]): Promise<Map<string, UserKeyRecord>> {
    return Promise.resolve(this.findSync('lookup', lookups));
  }

  findBySubjects(subjects: readonly string[]): Promise<Map<string, UserKeyRecord>> {
    return Promise.resolve(this.findSync('subject', subjects));
  }

  /** Synchronous lookups, for the embedded log's decoders, which run inside a read. */
  findSync(column: 'lookup' | 'subject', values: readonly string[]): Map<string, UserKeyRecord> {
    const found = new Map<string, UserKeyRecord>();
    for (const chunk of chunks([...new Set(values)])) {
      const rows = this.db.prepare(`SELECT * FROM user_keys WHERE ${column} IN (${chunk.map(() => '?').join(', ')})`).all(...chunk) as KeyRow[];
      for (const row of rows) found.set(column === 'lookup' ? row.lookup : row.subject, toRecord(row));
    }
    return found;
  }

  async destroy(lookup: string): Promise<UserKeyRecord | undefined> {
    const destroyed = await this.writer.run(() => {
      const row = this.selectByLookup.get(lookup) as KeyRow | undefined;
      if (row) this.deleteByLookup.run(lookup);
      return row ? toRecord(row) : undefined;
    });
    // The WAL still holds the page as it was before the delete: copy the pages back
    // into the main file (where secure_delete zeroed the record) and empty the WAL.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return destroyed;
  }

  async putErasure(erasure: ErasureRecord): Promise<void> {
    await this.writer.run(() => this.upsertErasure.run(erasure.lookup, erasure.product, erasure.subject, erasure.state, erasure.receipt, erasure.updatedAt));
  }

  findErasures(lookups: readonly string[]): Promise<Map<string, ErasureRecord>> {
    const found = new Map<string, ErasureRecord>();
    for (const chunk of chunks([...new Set(lookups)])) {
      const rows = this.db.prepare(`SELECT * FROM erasures WHERE lookup IN (${chunk.map(() => '?').join(', ')})`).all(...chunk) as ErasureRow[];
      for (const row of rows) {
        found.set(row.lookup, {
          lookup: row.lookup,
          product: row.product,
          subject: row.subject,
          state: row.state,
          receipt: row.receipt,
          updatedAt: row.updated_at,
        });
      }
    }
    return Promise.resolve(found);
  }

  close(): Promise<void> {
    this.writer.close();
    this.db.close();
    return Promise.resolve();
  }
}
