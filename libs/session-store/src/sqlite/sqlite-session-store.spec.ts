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
    absoluteExpiresAt: 1_702_592_000_000,
    idleTimeoutMs: 86_400_000,
    lastUsedAt: 1_700_000_000_000,
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

describe('SqliteSessionStore and DPoP', () => {
  it('keeps the key a session is bound to (DPoP), and reads sessions stored before the column as unbound', async () => {
    const db = openEmbeddedDatabase(':memory:');
    const writer = new GroupCommitWriter(db);
    const store = new SqliteSessionStore(db, writer, new SqliteEventLog(db, writer));
    const fromDisk = () => new SqliteSessionStore(db, writer, new SqliteEventLog(db, writer));
    const JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';
    const bound = record({ jkt: JKT });
    await store.create(bound, [event('e1')]);
    expect(await fromDisk().find(bound.sessionId)).toEqual(bound);
    expect(await store.update({ ...bound, generation: 1, version: 2 }, 1, [event('e2')])).toBe(true);
    expect((await fromDisk().find(bound.sessionId))?.jkt).toBe(JKT);
    const unbound = record({ sessionId: '0192f5a0-0000-7000-8000-000000000002' });
    await store.create(unbound, [event('e3')]);
    expect(await fromDisk().find(unbound.sessionId)).not.toHaveProperty('jkt');

    const dir = mkdtempSync(join(tmpdir(), 'waymark-sessions-jkt-'));
    try {
      const path = join(dir, 'waymark.db');
      const old = new Database(path);
      const before = EMBEDDED_MIGRATIONS.findIndex((migration) => migration.includes('dpop_jkt'));
      for (const migration of EMBEDDED_MIGRATIONS.slice(0, before)) old.exec(migration);
      old.pragma(`user_version = ${before}`);
      old
        .prepare(
          `INSERT INTO sessions (session_id, product, env, tag, identifier, status, started_at, expires_at, refresh_expires_at, token_ttl_ms,
             refresh_ttl_ms, sealed_data, refresh_token_hash, spent_hashes, generation, version)
           VALUES (?, 'demo', 'prod', 'web', 'user-1', 'active', 1, 2, 3, 4, 5, 'sealed', 'hash', '[]', 0, 1)`,
        )
        .run(bound.sessionId);
      old.close();
      const migrated = openEmbeddedDatabase(path);
      const writer2 = new GroupCommitWriter(migrated);
      const found = await new SqliteSessionStore(migrated, writer2, new SqliteEventLog(migrated, writer2)).find(bound.sessionId);
      expect(found).toMatchObject({ sessionId: bound.sessionId, identifier: 'user-1' });
      expect(found).not.toHaveProperty('jkt');
      migrated.close();
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SqliteSessionStore: idle and absolute timeouts', () => {
  const DAY = 86_400_000;

  it('moves lastUsedAt forward with recordUses (never back), without a new version, and an update never undoes it', async () => {
    const db = openEmbeddedDatabase(':memory:');
    const writer = new GroupCommitWriter(db);
    const store = new SqliteSessionStore(db, writer, new SqliteEventLog(db, writer));
    const fromDisk = () => new SqliteSessionStore(db, writer, new SqliteEventLog(db, writer));
    const created = record();
    await store.create(created, [event('e1')]);
    await store.find(created.sessionId); // cached

    await store.recordUses([
      { sessionId: created.sessionId, lastUsedAt: created.startedAt + 60_000 },
      { sessionId: 'gone', lastUsedAt: 1 },
    ]);
    await store.recordUses([{ sessionId: created.sessionId, lastUsedAt: created.startedAt + 30_000 }]);
    expect(await fromDisk().find(created.sessionId)).toMatchObject({ lastUsedAt: created.startedAt + 60_000, version: 1 });
    expect(await store.find(created.sessionId)).toMatchObject({ lastUsedAt: created.startedAt + 60_000 });

    // A change decided on the record read before the use keeps the later use.
    expect(await store.update({ ...created, generation: 1, version: 2 }, 1, [event('e2')])).toBe(true);
    expect(await fromDisk().find(created.sessionId)).toMatchObject({ lastUsedAt: created.startedAt + 60_000, version: 2 });
    db.close();
  });

  it('upgrades sessions stored before the timeouts: idle = their refresh lifetime, absolute end = 90 days from start or their end if later', () => {
    const dir = mkdtempSync(join(tmpdir(), 'waymark-sessions-timeouts-'));
    try {
      const path = join(dir, 'waymark.db');
      const old = new Database(path);
      const before = EMBEDDED_MIGRATIONS.findIndex((migration) => migration.includes('absolute_expires_at'));
      for (const migration of EMBEDDED_MIGRATIONS.slice(0, before)) old.exec(migration);
      old.pragma(`user_version = ${before}`);
      const insert = old.prepare(
        `INSERT INTO sessions (session_id, product, env, tag, identifier, status, started_at, expires_at, refresh_expires_at, token_ttl_ms,
           refresh_ttl_ms, sealed_data, refresh_token_hash, spent_hashes, rotated_at, generation, version)
         VALUES (?, 'demo', 'prod', 'web', 'user-1', 'active', ?, ?, ?, 3600000, ?, 'sealed', 'hash', '[]', ?, 0, 1)`,
      );
      const t0 = 1_700_000_000_500;
      insert.run('s-usual', t0, t0 + 3_600_000, t0 + 30 * DAY, 30 * DAY, null);
      insert.run('s-long', t0, t0 + 3_600_000, t0 + 200 * DAY, 30 * DAY, t0 + 100 * DAY);
      old.close();

      const db = openEmbeddedDatabase(path);
      const rows = db.prepare('SELECT session_id, absolute_expires_at, idle_timeout_ms, last_used_at FROM sessions ORDER BY session_id').raw().all();
      expect(rows).toEqual([
        ['s-long', t0 + 200 * DAY, 30 * DAY, t0 + 100 * DAY],
        ['s-usual', Math.floor((t0 + 90 * DAY) / 1000) * 1000, 30 * DAY, t0],
      ]);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
