import { SessionSpec, createUuidV7Generator, decideStartSession } from '@waymark/domain';
import { SqliteEventLog } from '@waymark/event-log';
import { RedisSessionStore } from '@waymark/session-store';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { Redis } from 'ioredis';
import { RedisTestServer, startRedisServer } from '../support/redis-server';

const DAY = 86_400_000;
const meta = { source: 'test' };
const spec: SessionSpec = { tag: 'web', name: 'Web', selector: 'userId', expiry: { value: 15, unit: 'minutes' }, refreshExpiry: { value: 30, unit: 'days' } };
const newId = createUuidV7Generator();

function start(now: number) {
  const sessionId = newId();
  return decideStartSession({
    product: 'shop',
    env: 'prd',
    tag: 'web',
    identifier: 'u-1',
    spec,
    sessionId,
    eventId: newId(),
    now,
    sealedData: 'sealed',
    refreshTokenHash: `hash-${sessionId}`,
    meta,
  });
}

describe('RedisSessionStore: idle and absolute timeouts', () => {
  let server: RedisTestServer;
  let redis: Redis;
  let db: SqliteConnection;
  let store: RedisSessionStore;

  beforeAll(async () => {
    server = await startRedisServer();
    redis = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
  });

  beforeEach(() => {
    db = openEmbeddedDatabase(':memory:');
    const writer = new GroupCommitWriter(db);
    store = new RedisSessionStore(redis, new SqliteEventLog(db, writer), `t${newId()}`);
  });

  afterEach(async () => {
    await store.close();
    db.close();
  });

  afterAll(async () => {
    redis.disconnect();
    await server?.stop();
  });

  it('records uses beside the record (never back, no new version), expiring with it; an update keeps them', async () => {
    const now = Date.now();
    const started = start(now);
    await store.create(started.record, [started.event]);

    await store.recordUses([
      { sessionId: started.record.sessionId, lastUsedAt: now + 60_000 },
      { sessionId: 'no-such-session', lastUsedAt: now },
    ]);
    await store.recordUses([{ sessionId: started.record.sessionId, lastUsedAt: now + 30_000 }]);
    expect(await store.find(started.record.sessionId)).toEqual({ ...started.record, lastUsedAt: now + 60_000 });
    // The session key's JSON is as the last change left it: a use is no change.
    const json = JSON.parse(
      (await redis.get(`${(store as unknown as { keys: { session(id: string): string } }).keys.session(started.record.sessionId)}`)) ?? '{}',
    );
    expect(json).toMatchObject({ version: 0, lastUsedAt: now });
    // A session gone gets no use key; the one recorded expires with its session.
    const keys = await redis.keys('*:used:*');
    expect(keys).toHaveLength(1);
    expect(await redis.pttl(keys[0])).toBeGreaterThan(29 * DAY);

    const updated = { ...started.record, generation: 1, version: 1 };
    expect(await store.update(updated, 0, [])).toBe(true);
    expect(await store.find(started.record.sessionId)).toMatchObject({ version: 1, lastUsedAt: now + 60_000 });
  });

  it('reads a record written before timeouts with what such a session had', async () => {
    const now = Date.UTC(2026, 10, 26, 10, 0, 0);
    const started = start(now);
    await store.create(started.record, [started.event]);
    const legacy: Record<string, unknown> = { ...started.record, rotatedAt: now + DAY };
    delete legacy.absoluteExpiresAt;
    delete legacy.idleTimeoutMs;
    delete legacy.lastUsedAt;
    const key = (store as unknown as { keys: { session(id: string): string } }).keys.session(started.record.sessionId);
    await redis.set(key, JSON.stringify(legacy), 'KEEPTTL');

    expect(await store.find(started.record.sessionId)).toMatchObject({
      absoluteExpiresAt: now + 90 * DAY,
      idleTimeoutMs: 30 * DAY,
      lastUsedAt: now + DAY,
    });
  });
});
