import {
  EventEnvelope,
  SessionRecord,
  SessionSpec,
  createUuidV7Generator,
  decideCreateSpec,
  decideDeleteSpec,
  decideExtend,
  decideRefresh,
  decideRevoke,
  decideStartSession,
  decideUpdateSpec,
} from '@waymark/domain';
import { EventLog, EventLogConsumer, LagReport, SqliteEventLog } from '@waymark/event-log';
import {
  IdentifierSessionsQuery,
  REBUILT_REFRESH_TOKEN_HASH,
  RedisSessionStore,
  RedisSpecStore,
  RevokedSession,
  SqliteSessionStore,
  rebuildRedisStores,
} from '@waymark/session-store';
import { GroupCommitWriter, SqliteConnection, openEmbeddedDatabase } from '@waymark/sqlite';
import { Redis } from 'ioredis';
import { RedisTestServer, startRedisServer } from '../support/redis-server';
import { waitFor } from '../support/wait-for';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const meta = { source: 'test' };
const spec: SessionSpec = { tag: 'web', name: 'Web', selector: 'userId', expiry: { value: 15, unit: 'minutes' }, refreshExpiry: { value: 30, unit: 'days' } };
const newId = createUuidV7Generator();

/** The embedded log on an in-memory database, told to fail its next appends when a test asks. */
class FailableEventLog implements EventLog {
  failing = false;
  appended: EventEnvelope[] = [];

  constructor(readonly inner: SqliteEventLog) {}

  async append(events: readonly EventEnvelope[]): Promise<void> {
    if (this.failing) throw new Error('log unavailable');
    await this.inner.append(events);
    this.appended.push(...events);
  }

  openConsumer(group: string): EventLogConsumer {
    return this.inner.openConsumer(group);
  }

  describeLag(group: string): Promise<LagReport> {
    return this.inner.describeLag(group);
  }
}

function start(identifier: string, now: number, overrides: { product?: string; tag?: string } = {}) {
  const sessionId = newId();
  return decideStartSession({
    product: overrides.product ?? 'shop',
    env: 'prd',
    tag: overrides.tag ?? 'web',
    identifier,
    spec,
    sessionId,
    eventId: newId(),
    now,
    sealedData: `sealed-${sessionId}`,
    refreshTokenHash: `hash-${sessionId}`,
    meta,
  });
}

function revoke(record: SessionRecord, now: number) {
  const decided = decideRevoke(record, 'requested', { now, eventId: newId(), meta });
  if (!decided) throw new Error('expected a revocation');
  return decided;
}

function query(identifier: string, overrides: Partial<IdentifierSessionsQuery> = {}): IdentifierSessionsQuery {
  return { product: 'shop', env: 'prd', tag: 'web', identifier, offset: 0, limit: 100, ...overrides };
}

describe('Redis session and spec stores', () => {
  let server: RedisTestServer;
  let db: SqliteConnection;
  let writer: GroupCommitWriter;
  let sqliteLog: SqliteEventLog;
  let log: FailableEventLog;
  const clients: Redis[] = [];
  const stores: RedisSessionStore[] = [];
  let prefixCount = 0;

  /** Every test writes under its own prefix, so none sees another's data. */
  const nextPrefix = () => `t${(prefixCount += 1)}`;

  async function client(): Promise<Redis> {
    const redis = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    clients.push(redis);
    return redis;
  }

  async function sessionStore(prefix: string, options: ConstructorParameters<typeof RedisSessionStore>[3] = {}): Promise<RedisSessionStore> {
    const store = new RedisSessionStore(await client(), log, prefix, options);
    stores.push(store);
    return store;
  }

  beforeAll(async () => {
    server = await startRedisServer();
  });

  beforeEach(() => {
    db = openEmbeddedDatabase(':memory:');
    writer = new GroupCommitWriter(db);
    sqliteLog = new SqliteEventLog(db, writer);
    log = new FailableEventLog(sqliteLog);
  });

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    db.close();
  });

  afterAll(async () => {
    for (const redis of clients) redis.disconnect();
    await server?.stop();
  });

  it('creates a session with its events, finds it, keeps it until its end plus the margin, and refuses a duplicate id', async () => {
    const prefix = nextPrefix();
    const store = await sessionStore(prefix, { retainMs: DAY });
    const now = Date.now();
    const started = start('u-1', now);
    await store.create(started.record, [started.event]);

    expect(await store.find(started.record.sessionId)).toEqual(started.record);
    expect(await store.find('no-such-session')).toBeUndefined();
    expect(log.appended.map((e) => e.id)).toEqual([started.event.id]);
    const ttl = await clients[0].pttl(`${prefix}:session:${started.record.sessionId}`);
    const expected = started.record.refreshExpiresAt + DAY - now;
    expect(ttl).toBeGreaterThan(expected - 5_000);
    expect(ttl).toBeLessThanOrEqual(expected);

    const duplicate = { ...started.record, identifier: 'u-2' };
    await expect(store.create(duplicate, [{ ...started.event, id: newId() }])).rejects.toThrow(/already exists/);
    expect(await store.find(started.record.sessionId)).toEqual(started.record);
    expect(log.appended).toHaveLength(1);
    expect((await store.listByIdentifier(query('u-2'))).total).toBe(0);
  });

  it('lists by identifier exactly as the embedded store: newest first, ties by id, liveAt, offset/limit, total', async () => {
    const redisStore = await sessionStore(nextPrefix());
    const sqliteStore = new SqliteSessionStore(db, writer, sqliteLog);
    const now = Date.now();
    const records: SessionRecord[] = [];
    for (let i = 0; i < 7; i += 1) {
      // Two pairs share a start time, to exercise the tie order.
      const started = start('u-list', now - Math.floor(i / 2) * MINUTE);
      records.push(started.record);
      await redisStore.create(started.record, []);
      await sqliteStore.create(started.record, [started.event]);
    }
    const other = start('u-other', now);
    await redisStore.create(other.record, []);
    await sqliteStore.create(other.record, [other.event]);
    const revoked = revoke(records[1], now + 1);
    expect(await redisStore.update(revoked.record, 0, [])).toBe(true);
    expect(await sqliteStore.update(revoked.record, 0, [revoked.event])).toBe(true);

    const queries = [
      query('u-list'),
      query('u-list', { offset: 2, limit: 3 }),
      query('u-list', { offset: 6, limit: 3 }),
      query('u-list', { liveAt: now }),
      query('u-list', { liveAt: records[0].refreshExpiresAt }),
      query('u-list', { liveAt: now, offset: 1, limit: 2 }),
      query('nobody'),
    ];
    for (const q of queries) expect({ q, answer: await redisStore.listByIdentifier(q) }).toEqual({ q, answer: await sqliteStore.listByIdentifier(q) });
    const all = await redisStore.listByIdentifier(query('u-list'));
    expect(all.total).toBe(7);
    expect((await redisStore.listByIdentifier(query('u-list', { liveAt: now }))).total).toBe(6);
    expect((await redisStore.listByIdentifier(query('u-list', { liveAt: records[0].refreshExpiresAt }))).total).toBe(0);
  });

  it('prunes index members whose session key is gone', async () => {
    const prefix = nextPrefix();
    const store = await sessionStore(prefix);
    const a = start('u-prune', Date.now());
    const b = start('u-prune', Date.now() + 1);
    await store.create(a.record, [a.event]);
    await store.create(b.record, [b.event]);
    await clients[0].del(`${prefix}:session:${a.record.sessionId}`);

    const listed = await store.listByIdentifier(query('u-prune'));
    expect(listed).toEqual({ total: 1, records: [b.record] });
    expect(await clients[0].zrange(`${prefix}:ident:shop:prd:web:u-prune`, '0', '-1')).toEqual([b.record.sessionId]);
  });

  it('lets exactly one of 20 concurrent updates with the same expected version win', async () => {
    const store = await sessionStore(nextPrefix());
    const now = Date.now();
    const started = start('u-race', now);
    await store.create(started.record, [started.event]);
    const attempts = Array.from({ length: 20 }, (_, i) => {
      const extended = decideExtend(started.record, (i + 1) * MINUTE, { now: now + 1, eventId: newId(), meta });
      if (extended.kind !== 'extended') throw new Error('expected an extension');
      return extended;
    });
    const results = await Promise.all(attempts.map((a) => store.update(a.record, 0, [a.event])));

    expect(results.filter((won) => won)).toHaveLength(1);
    const winner = attempts[results.indexOf(true)];
    expect(await store.find(started.record.sessionId)).toEqual(winner.record);
    expect(log.appended.map((e) => e.id)).toEqual([started.event.id, winner.event.id]);
    expect(await store.update(winner.record, 0, [])).toBe(false);
  });

  it('leaves nothing behind when the append of a create fails', async () => {
    const store = await sessionStore(nextPrefix());
    const started = start('u-fail', Date.now());
    log.failing = true;
    await expect(store.create(started.record, [started.event])).rejects.toThrow('log unavailable');

    expect(await store.find(started.record.sessionId)).toBeUndefined();
    expect(await store.listByIdentifier(query('u-fail'))).toEqual({ total: 0, records: [] });
    expect(log.appended).toHaveLength(0);
    log.failing = false;
    await store.create(started.record, [started.event]);
    expect(await store.find(started.record.sessionId)).toEqual(started.record);
  });

  it('restores the previous record, and announces nothing, when the append of an update fails', async () => {
    const store = await sessionStore(nextPrefix());
    const heard: RevokedSession[] = [];
    store.onRevoked((r) => heard.push(r));
    await store.listening();
    const now = Date.now();
    const started = start('u-revert', now);
    await store.create(started.record, [started.event]);
    const revoked = revoke(started.record, now + 1);
    log.failing = true;
    await expect(store.update(revoked.record, 0, [revoked.event])).rejects.toThrow('log unavailable');

    expect(await store.find(started.record.sessionId)).toEqual(started.record);
    expect(await store.listRevoked(now)).toEqual([]);
    expect(await store.listByIdentifier(query('u-revert', { liveAt: now }))).toEqual({ total: 1, records: [started.record] });
    log.failing = false;
    expect(await store.update(revoked.record, 0, [revoked.event])).toBe(true);
    expect(heard).toEqual([{ sessionId: started.record.sessionId, revokedAt: now + 1, refreshExpiresAt: started.record.refreshExpiresAt }]);
  });

  it('lists revoked sessions whose end is after now', async () => {
    const store = await sessionStore(nextPrefix());
    const now = Date.now();
    const a = start('u-rev', now);
    const b = start('u-rev', now);
    const c = start('u-rev', now);
    for (const s of [a, b, c]) await store.create(s.record, [s.event]);
    const ra = revoke(a.record, now + 10);
    const extended = decideExtend(b.record, DAY, { now: now + 5, eventId: newId(), meta });
    if (extended.kind !== 'extended') throw new Error('expected an extension');
    const rb = revoke(extended.record, now + 20);
    expect(await store.update(ra.record, 0, [ra.event])).toBe(true);
    expect(await store.update(extended.record, 0, [extended.event])).toBe(true);
    expect(await store.update(rb.record, 1, [rb.event])).toBe(true);

    const listed = await store.listRevoked(now);
    expect(listed.sort((x, y) => x.revokedAt - y.revokedAt)).toEqual([
      { sessionId: a.record.sessionId, revokedAt: now + 10, refreshExpiresAt: a.record.refreshExpiresAt },
      { sessionId: b.record.sessionId, revokedAt: now + 20, refreshExpiresAt: b.record.refreshExpiresAt + DAY },
    ]);
    expect(await store.listRevoked(a.record.refreshExpiresAt)).toEqual([
      { sessionId: b.record.sessionId, revokedAt: now + 20, refreshExpiresAt: b.record.refreshExpiresAt + DAY },
    ]);
  });

  it('carries a revocation made through one instance to another within a second', async () => {
    const prefix = nextPrefix();
    // A long resync on B: only the publication can deliver in time.
    const a = await sessionStore(prefix, { resyncIntervalMs: 60_000 });
    const b = await sessionStore(prefix, { resyncIntervalMs: 60_000 });
    const heardByA: RevokedSession[] = [];
    const heardByB: Array<{ revoked: RevokedSession; at: number }> = [];
    a.onRevoked((revoked) => heardByA.push(revoked));
    b.onRevoked((revoked) => heardByB.push({ revoked, at: performance.now() }));
    await Promise.all([a.listening(), b.listening()]);
    const now = Date.now();
    const started = start('u-pub', now);
    await a.create(started.record, [started.event]);
    const revoked = revoke(started.record, now + 1);

    const before = performance.now();
    expect(await a.update(revoked.record, 0, [revoked.event])).toBe(true);
    const acknowledged = performance.now();
    await waitFor(
      () => heardByB.length,
      (n) => n > 0,
      1_000,
      1,
    );
    // Measured from the start of the revoking call: the whole path (compare-and-set,
    // append, publish, delivery on B), not only the part after A's answer.
    const delayMs = heardByB[0].at - before;
    process.stdout.write(
      `revocation propagation A→B: ${delayMs.toFixed(2)} ms from the revoking call (A's update took ${(acknowledged - before).toFixed(2)} ms)\n`,
    );

    const expected = { sessionId: started.record.sessionId, revokedAt: now + 1, refreshExpiresAt: started.record.refreshExpiresAt };
    expect(heardByB.map((h) => h.revoked)).toEqual([expected]);
    expect(delayMs).toBeLessThan(1_000);
    // A heard of its own revocation before update resolved, and only once despite the echo.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(heardByA).toEqual([expected]);
  });

  it('delivers, through the periodic resync, a revocation whose publication it missed', async () => {
    const prefix = nextPrefix();
    const a = await sessionStore(prefix);
    const now = Date.now();
    const started = start('u-resync', now);
    await a.create(started.record, [started.event]);
    const revoked = revoke(started.record, now + 1);
    // Nobody on C listens yet: the publication goes unheard.
    expect(await a.update(revoked.record, 0, [revoked.event])).toBe(true);

    const c = await sessionStore(prefix, { resyncIntervalMs: 100 });
    const heard: RevokedSession[] = [];
    c.onRevoked((r) => heard.push(r));
    await waitFor(
      () => heard.length,
      (n) => n > 0,
      2_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(heard).toEqual([{ sessionId: started.record.sessionId, revokedAt: now + 1, refreshExpiresAt: started.record.refreshExpiresAt }]);
  });

  it('saves specs with compare-and-set on the revision and restores them when the append fails', async () => {
    const store = new RedisSpecStore(await client(), log, nextPrefix());
    const context = { product: 'shop', env: 'prd', now: Date.now(), eventId: newId(), meta };
    const created = decideCreateSpec(undefined, spec, context);
    expect(await store.save(created.stored, 0, [created.event])).toBe(true);
    expect(await store.save(created.stored, 0, [created.event])).toBe(false);
    expect(await store.get('shop', 'web')).toEqual(created.stored);
    expect(await store.get('shop', 'none')).toBeUndefined();

    const attempts = Array.from({ length: 10 }, (_, i) => decideUpdateSpec(created.stored, { ...spec, name: `Web ${i}` }, 1, { ...context, eventId: newId() }));
    const results = await Promise.all(attempts.map((a) => store.save(a.stored, 1, [a.event])));
    expect(results.filter((won) => won)).toHaveLength(1);
    const winner = attempts[results.indexOf(true)];
    expect(await store.get('shop', 'web')).toEqual(winner.stored);

    log.failing = true;
    const deleted = decideDeleteSpec(winner.stored, 'web', { ...context, eventId: newId() });
    await expect(store.save(deleted.stored, 2, [deleted.event])).rejects.toThrow('log unavailable');
    expect(await store.get('shop', 'web')).toEqual(winner.stored);
    const fresh = decideCreateSpec(undefined, { ...spec, tag: 'app' }, { ...context, eventId: newId() });
    await expect(store.save(fresh.stored, 0, [fresh.event])).rejects.toThrow('log unavailable');
    expect(await store.get('shop', 'app')).toBeUndefined();
    log.failing = false;

    const other = decideCreateSpec(undefined, spec, { ...context, product: 'bank', eventId: newId() });
    expect(await store.save(other.stored, 0, [other.event])).toBe(true);
    expect(await store.save(deleted.stored, 2, [deleted.event])).toBe(true);
    expect(await store.list()).toEqual([other.stored, deleted.stored]);
    expect(log.appended.map((e) => e.id)).toEqual([created.event.id, winner.event.id, other.event.id, deleted.event.id]);
  });

  it('rebuilds from the log the answers of sessions and specs created through the stores (refresh secrets aside)', async () => {
    const prefix = nextPrefix();
    const store = await sessionStore(prefix);
    const specs = new RedisSpecStore(await client(), log, prefix);
    const now = Date.now();
    const context = { product: 'shop', env: 'prd', now, eventId: newId(), meta };
    const created = decideCreateSpec(undefined, spec, context);
    await specs.save(created.stored, 0, [created.event]);
    const deletedSpec = decideCreateSpec(undefined, { ...spec, tag: 'old' }, { ...context, eventId: newId() });
    await specs.save(deletedSpec.stored, 0, [deletedSpec.event]);
    const deletion = decideDeleteSpec(deletedSpec.stored, 'old', { ...context, eventId: newId() });
    await specs.save(deletion.stored, 1, [deletion.event]);

    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const started = start(i < 3 ? 'u-rebuild' : 'u-other', now - i * MINUTE + 123);
      await store.create(started.record, [started.event]);
      ids.push(started.record.sessionId);
    }
    const s0 = (await store.find(ids[0])) as SessionRecord;
    const refreshed = decideRefresh(s0, {
      now: now + 500,
      eventId: newId(),
      revocationEventId: newId(),
      meta,
      presentedHash: s0.refreshTokenHash,
      graceMs: 10_000,
      nextRefreshHash: 'next',
    });
    if (refreshed.kind !== 'rotate') throw new Error('expected a rotation');
    await store.update({ ...refreshed.record, lastRefreshSealed: 'sealed-answer' }, 0, [refreshed.event]);
    const s1 = (await store.find(ids[1])) as SessionRecord;
    const extended = decideExtend(s1, DAY, { now: now + 600, eventId: newId(), meta });
    if (extended.kind !== 'extended') throw new Error('expected an extension');
    await store.update(extended.record, 0, [extended.event]);
    const revoked = revoke(extended.record, now + 700);
    await store.update(revoked.record, 1, [revoked.event]);
    await sqliteLog.append([{ ...refreshed.event, id: newId(), type: 'SessionActivityRecorded', data: { name: 'checkout', status: 'ok' } }]);

    const rebuiltPrefix = nextPrefix();
    await clients[0].set(`${rebuiltPrefix}:session:stale`, 'left from before');
    const report = await rebuildRedisStores(sqliteLog.openReader(), clients[0], rebuiltPrefix, { now });
    expect(report).toEqual({ events: 11, sessions: 4, specs: 2, ignored: 0, duplicates: 0 });
    expect(await clients[0].get(`${rebuiltPrefix}:session:stale`)).toBeNull();

    const rebuilt = await sessionStore(rebuiltPrefix);
    const rebuiltSpecs = new RedisSpecStore(clients[0], log, rebuiltPrefix);
    // Spent times are kept index for index with the spent hashes, so none without them.
    const withoutSecrets = (r: SessionRecord | undefined) =>
      r && {
        ...r,
        refreshTokenHash: REBUILT_REFRESH_TOKEN_HASH,
        spentRefreshTokenHashes: [],
        ...(r.spentRefreshTokenTimes ? { spentRefreshTokenTimes: [] } : {}),
        lastRefreshSealed: null,
      };
    for (const id of ids) expect(await rebuilt.find(id)).toEqual(withoutSecrets(await store.find(id)));
    expect((await rebuilt.find(ids[0]))?.refreshTokenHash).toBe(REBUILT_REFRESH_TOKEN_HASH);
    for (const q of [query('u-rebuild'), query('u-rebuild', { liveAt: now }), query('u-rebuild', { offset: 1, limit: 1 }), query('u-other')]) {
      const original = await store.listByIdentifier(q);
      expect(await rebuilt.listByIdentifier(q)).toEqual({ total: original.total, records: original.records.map(withoutSecrets) });
    }
    expect(await rebuilt.listRevoked(now)).toEqual(await store.listRevoked(now));
    expect(await rebuiltSpecs.list()).toEqual(await specs.list());
  });
});
