import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEnvelope, SessionRecord } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { EMBEDDED_MIGRATIONS } from '../../../sqlite/src/embedded-schema';
import { SqliteSessionStore } from './sqlite-session-store';

function record(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId: '0192f5a0-0000-7000-8000-000000000001',
    product: 'demo',
    env: 'prod',
    tag: 'web',
    identifier: 'user-1',
    status: 'active',
    startedAt: 1_700_000_000_000,
    expiresAt: 1_700_000_900_000,
    refreshExpiresAt: 1_700_086_400_000,
    tokenTtlMs: 900_000,
    refreshTtlMs: 86_400_000,
    sealedData: 'sealed-data',
    refreshTokenHash: 'hash-1',
    spentRefreshTokenHashes: [],
    rotatedAt: null,
    lastRefreshSealed: null,
    generation: 0,
    version: 1,
    revokedAt: null,
    revokeReason: null,
    ...overrides,
  };
}

const event = (id: string) =>
  ({
    id,
    type: 'SessionRefreshed',
    product: 'demo',
    env: 'prod',
    tag: 'web',
    identifier: 'user-1',
    occurredAt: '2023-11-14T22:13:20.000Z',
  }) as unknown as EventEnvelope;

describe('SqliteSessionStore', () => {
  let db: SqliteConnection;
  let store: SqliteSessionStore;
  let writer: GroupCommitWriter;
  // Another store on the same database has nothing cached: it reads what SQLite holds.
  const fromDisk = () => new SqliteSessionStore(db, writer, new SqliteEventLog(db, writer));

  beforeEach(() => {
    db = openEmbeddedDatabase(':memory:');
    writer = new GroupCommitWriter(db);
    store = new SqliteSessionStore(db, writer, new SqliteEventLog(db, writer));
  });

  afterEach(() => db.close());

  it('reads back every field it wrote, on create and on update', async () => {
    const created = record();
    await store.create(created, [event('e1')]);
    expect(await fromDisk().find(created.sessionId)).toEqual(created);

    const changed = record({
      status: 'revoked',
      expiresAt: 1_700_000_901_000,
      refreshExpiresAt: 1_700_086_401_000,
      refreshTokenHash: 'hash-2',
      spentRefreshTokenHashes: ['hash-1', 'hash-0'],
      rotatedAt: 1_700_000_000_500,
      lastRefreshSealed: 'sealed-answer',
      generation: 1,
      version: 2,
      revokedAt: 1_700_000_000_600,
      revokeReason: 'refresh-token-reuse',
    });
    expect(await store.update(changed, 1, [event('e2')])).toBe(true);
    expect(await fromDisk().find(created.sessionId)).toEqual(changed);
    expect(await store.find(created.sessionId)).toEqual(changed);
    expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(2);
  });

  it('answers find from what it last committed, and hands out records no caller can change', async () => {
    await store.create(record(), [event('e1')]);
    const found = (await store.find(record().sessionId)) as SessionRecord;
    expect(found).toEqual(record());
    expect(() => {
      found.status = 'revoked';
    }).toThrow(TypeError);
    expect(() => found.spentRefreshTokenHashes.push('x')).toThrow(TypeError);
  });

  it('forgets a session whose compare-and-set failed, so the next find reads SQLite again', async () => {
    await store.create(record(), [event('e1')]);
    await store.find(record().sessionId);
    // Another writer (here: a second store) moves the session on behind this store's back.
    expect(await fromDisk().update(record({ version: 2, refreshTokenHash: 'hash-2' }), 1, [event('e2')])).toBe(true);
    expect((await store.find(record().sessionId))?.version).toBe(1);
    expect(await store.update(record({ version: 2, refreshTokenHash: 'mine' }), 1, [event('e3')])).toBe(false);
    expect(await store.find(record().sessionId)).toEqual(record({ version: 2, refreshTokenHash: 'hash-2' }));
  });

  it('writes nothing when the stored version is not the expected one', async () => {
    await store.create(record(), [event('e1')]);
    expect(await store.update(record({ version: 3, refreshTokenHash: 'other' }), 2, [event('e2')])).toBe(false);
    expect((await store.find(record().sessionId))?.refreshTokenHash).toBe('hash-1');
    expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(1);
  });
});

describe('embedded migration 5: sessions as a rowid table', () => {
  it('keeps every session and its indexes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'waymark-sessions-rowid-'));
    try {
      const path = join(dir, 'waymark.db');
      const old = new Database(path);
      for (const migration of EMBEDDED_MIGRATIONS.slice(0, 3)) old.exec(migration);
      old.pragma('user_version = 3');
      const insert = old.prepare(
        `INSERT INTO sessions VALUES (?, 'demo', 'prod', 'web', ?, 'active', ?, 2, 3, 4, 5, 'sealed', 'hash', '[]', NULL, ?, 0, 1, NULL, NULL)`,
      );
      for (let i = 0; i < 20; i += 1) insert.run(`0192f5a0-0000-7000-8000-${String(i).padStart(12, '0')}`, `user-${i % 3}`, i, 'x'.repeat(1500));
      old.close();

      const db = openEmbeddedDatabase(path);
      const sql = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'sessions'").pluck().get() as string;
      expect(sql).not.toMatch(/WITHOUT ROWID/i);
      const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sessions' ORDER BY name").pluck().all();
      expect(indexes).toEqual(expect.arrayContaining(['sessions_by_identifier', 'sessions_revoked']));
      expect(db.prepare('SELECT count(*) FROM sessions').pluck().get()).toBe(20);
      expect(db.prepare("SELECT count(*) FROM sessions WHERE identifier = 'user-1' AND length(last_refresh_sealed) = 1500").pluck().get()).toBe(7);
      expect(db.pragma('user_version', { simple: true })).toBe(EMBEDDED_MIGRATIONS.length);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
