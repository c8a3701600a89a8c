import { SessionRecord, SessionSpec, createUuidV7Generator, decideRevoke, decideStartSession } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { RedisSessionStore, SessionStore, SqliteSessionStore } from '@waymark/session-store';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { Redis } from 'ioredis';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RedisTestServer, startRedisServer } from '../support/redis-server';
import { makeTempDir } from '../support/temp-dir';

const MINUTE = 60_000;
const meta = { source: 'test' };
const spec: SessionSpec = { tag: 'web', name: 'Web', selector: 'userId', expiry: { value: 15, unit: 'minutes' }, refreshExpiry: { value: 30, unit: 'days' } };
const newId = createUuidV7Generator();
const ERASED = 'erin.store-erasure+5512@mail.test';
const KEPT = 'kim.store-kept+8811@mail.test';

/** A DPoP key thumbprint (docs/dpop.md): it names the user's device, so an erasure takes it out too. */
const JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';

function start(identifier: string, now: number, env = 'prd', tag = 'web', jkt?: string) {
  const sessionId = newId();
  return decideStartSession({
    product: 'shop',
    env,
    tag,
    identifier,
    spec: { ...spec, tag, senderConstraint: 'dpop-optional' },
    sessionId,
    eventId: newId(),
    now,
    sealedData: `sealed-value-${identifier === ERASED ? 'Quince' : 'Medlar'}-${sessionId}`,
    refreshTokenHash: `hash-${sessionId}`,
    meta,
    jkt,
  });
}

async function revoke(store: SessionStore, record: SessionRecord, now: number): Promise<void> {
  const decided = decideRevoke(record, 'erased', { now, eventId: newId(), meta });
  if (!decided) throw new Error('expected a revocation');
  expect(await store.update(decided.record, record.version, decided.events)).toBe(true);
}

/** The same behaviour asked of both stores. */
async function erasesTheUser(store: SessionStore): Promise<void> {
  const now = Date.now();
  const a = start(ERASED, now - 2 * MINUTE, 'prd', 'web', JKT);
  const b = start(ERASED, now - MINUTE, 'stg', 'app');
  const kept = start(KEPT, now - MINUTE);
  for (const s of [a, b, kept]) await store.create(s.record, [s.event]);
  expect((await store.find(a.record.sessionId))?.jkt).toBe(JKT);

  expect((await store.listOfUser({ product: 'shop', identifier: ERASED })).map((r) => r.sessionId).sort()).toEqual(
    [a.record.sessionId, b.record.sessionId].sort(),
  );
  expect((await store.listOfUser({ product: 'shop', identifier: ERASED, envs: ['stg'] })).map((r) => r.sessionId)).toEqual([b.record.sessionId]);
  expect((await store.listOfUser({ product: 'shop', identifier: ERASED, tags: ['web'] })).map((r) => r.sessionId)).toEqual([a.record.sessionId]);
  expect(await store.listOfUser({ product: 'other', identifier: ERASED })).toEqual([]);

  // A live session is not erased: it must be revoked first.
  const ids = [a.record.sessionId, b.record.sessionId];
  expect(await store.eraseSessions(ids, now)).toEqual({ erased: 0, live: ids });

  await revoke(store, a.record, now);
  await revoke(store, b.record, now);
  expect(await store.eraseSessions(ids, now)).toEqual({ erased: 2, live: [] });
  // Idempotent.
  expect(await store.eraseSessions(ids, now)).toEqual({ erased: 2, live: [] });

  const tomb = await store.find(a.record.sessionId);
  expect(tomb).toMatchObject({ status: 'revoked', identifier: '', sealedData: '', lastRefreshSealed: null, refreshExpiresAt: a.record.refreshExpiresAt });
  expect(tomb?.jkt).toBeUndefined();
  // Still refused until their end: listed as revoked.
  expect((await store.listRevoked(now)).map((r) => r.sessionId).sort()).toEqual(ids.sort());
  expect(await store.listOfUser({ product: 'shop', identifier: ERASED })).toEqual([]);
  expect(await store.find(kept.record.sessionId)).toEqual(kept.record);

  // Past its end a session is deleted outright.
  expect(await store.eraseSessions([a.record.sessionId], a.record.refreshExpiresAt + 1)).toEqual({ erased: 1, live: [] });
  expect(await store.find(a.record.sessionId)).toBeUndefined();
}

describe('session stores: erasing a user’s sessions', () => {
  describe('SQLite', () => {
    const dir = makeTempDir('session-erasure');
    let db: SqliteConnection;
    let store: SqliteSessionStore;

    beforeAll(() => {
      db = openEmbeddedDatabase(join(dir.path, 'waymark.db'));
      const writer = new GroupCommitWriter(db);
      store = new SqliteSessionStore(db, writer, new SqliteEventLog(db, writer));
    });

    afterAll(() => {
      db.close();
      dir.remove();
    });

    it('lists, refuses live sessions, tombstones revoked ones, deletes ended ones', async () => {
      await erasesTheUser(store);
    });

    it('leaves the identifier and the sealed data nowhere in the database files, old row versions included', async () => {
      // Its own file, and no events (the log has no codec here): only the sessions table is under test.
      const rawDir = makeTempDir('session-erasure-raw');
      const rawDb = openEmbeddedDatabase(join(rawDir.path, 'waymark.db'));
      const writer = new GroupCommitWriter(rawDb);
      const raw = new SqliteSessionStore(rawDb, writer, new SqliteEventLog(rawDb, writer));
      try {
        const now = Date.now();
        const s = start(ERASED, now);
        const other = start(KEPT, now);
        await raw.create(s.record, []);
        await raw.create(other.record, []);
        // A refresh-like rewrite of a bigger row: SQLite moves the cell and frees the old one.
        const grown = { ...s.record, spentRefreshTokenHashes: ['h'.repeat(64), 'i'.repeat(64)], version: s.record.version + 1 };
        expect(await raw.update(grown, s.record.version, [])).toBe(true);
        const decided = decideRevoke(grown, 'erased', { now, eventId: newId(), meta });
        expect(await raw.update(decided!.record, grown.version, [])).toBe(true);
        rawDb.pragma('wal_checkpoint(PASSIVE)');
        expect(await raw.eraseSessions([s.record.sessionId], now)).toEqual({ erased: 1, live: [] });

        for (const file of readdirSync(rawDir.path)) {
          const bytes = readFileSync(join(rawDir.path, file));
          expect({ file, identifier: bytes.includes(Buffer.from(ERASED)), data: bytes.includes(Buffer.from(s.record.sealedData)) }).toEqual({
            file,
            identifier: false,
            data: false,
          });
        }
        // The other user's row is intact.
        expect(readFileSync(join(rawDir.path, 'waymark.db')).includes(Buffer.from(KEPT))).toBe(true);
        expect(rawDb.prepare('SELECT identifier, sealed_data FROM sessions WHERE session_id = ?').get(s.record.sessionId)).toEqual({
          identifier: '',
          sealed_data: '',
        });
      } finally {
        rawDb.close();
        rawDir.remove();
      }
    });
  });

  describe('Redis', () => {
    let server: RedisTestServer;
    let redis: Redis;
    let db: SqliteConnection;
    let store: RedisSessionStore;

    beforeAll(async () => {
      server = await startRedisServer();
      redis = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
      db = openEmbeddedDatabase(':memory:');
      store = new RedisSessionStore(redis, new SqliteEventLog(db, new GroupCommitWriter(db)), 'erasure');
    });

    afterAll(async () => {
      await store?.close();
      redis?.disconnect();
      db?.close();
      await server?.stop();
    });

    it('lists, refuses live sessions, tombstones revoked ones, deletes ended ones', async () => {
      await erasesTheUser(store);
    });

    it('leaves neither the identifier (values or key names) nor the sealed data in Redis', async () => {
      const keys = await redis.keys('erasure*');
      const dump = [...keys, ...(await Promise.all(keys.map((key) => redis.dump(key))))].join('\n');
      expect(keys.join('\n')).not.toContain(encodeURIComponent(ERASED));
      expect(dump).not.toContain('Quince');
      expect(dump).not.toContain(ERASED);
    });
  });
});
