import { LoggerService } from '@nestjs/common';
import { Clock, DomainError, EventEnvelope, SessionRecord, systemClock, withTimeouts } from '@waymark/domain';
import { EventLog } from '@waymark/event-log';
import type { Redis } from 'ioredis';
import {
  ErasedSessions,
  IdentifierSessionsQuery,
  RevokedSession,
  SessionStore,
  SessionUse,
  UserSessionsQuery,
  holdsPersonalData,
  tombstoneOf,
} from '../session-store.port';
import { RedisKeys } from './redis-keys';
import { RedisLuaScript } from './redis-lua-script';

export interface RedisSessionStoreOptions {
  clock?: Clock;
  logger?: Pick<LoggerService, 'warn' | 'error'>;
  /** How often revoked sessions are polled as a safety net for a missed publication. */
  resyncIntervalMs?: number;
  /** How long a session key outlives the session's end before Redis drops it. */
  retainMs?: number;
}

const DEFAULT_RESYNC_INTERVAL_MS = 1_000;
const DEFAULT_RETAIN_MS = 24 * 60 * 60 * 1_000;
/** A key's expiry must lie ahead of the server's clock, or SET would drop it at once. */
const MIN_KEY_LIFETIME_MS = 60_000;

// Keys of every script: the session, its identifier index, the revoked set.

/** ARGV: record JSON, expire-at ms, startedAt, session id, status, refreshExpiresAt. */
const CREATE = new RedisLuaScript(
  `if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PXAT', ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
if redis.call('PTTL', KEYS[2]) == -1 then redis.call('PEXPIREAT', KEYS[2], ARGV[2])
else redis.call('PEXPIREAT', KEYS[2], ARGV[2], 'GT') end
if ARGV[5] == 'revoked' then redis.call('ZADD', KEYS[3], ARGV[6], ARGV[4]) end
return 1`,
  3,
);

/** ARGV: session id. Undoes CREATE whatever happened to the session since. */
const DELETE = new RedisLuaScript(
  `redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return 1`,
  3,
);

/**
 * ARGV: expected version, record JSON, expire-at ms, session id, status, refreshExpiresAt.
 * Answers the record it replaced (for a revert), or nil when the version moved on.
 */
const COMPARE_AND_SET = new RedisLuaScript(
  `local current = redis.call('GET', KEYS[1])
if not current then return false end
if cjson.decode(current).version ~= tonumber(ARGV[1]) then return false end
redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])
redis.call('PEXPIREAT', KEYS[2], ARGV[3], 'GT')
if ARGV[5] == 'revoked' then redis.call('ZADD', KEYS[3], ARGV[6], ARGV[4])
else redis.call('ZREM', KEYS[3], ARGV[4]) end
return current`,
  3,
);

/**
 * ARGV: version written by the failed update, previous record JSON, its expire-at ms,
 * session id, its status, its refreshExpiresAt. Restores only if nothing changed the
 * session since: a later change was made on top of ours and is not ours to undo.
 */
const REVERT = new RedisLuaScript(
  `local current = redis.call('GET', KEYS[1])
if not current then return 0 end
if cjson.decode(current).version ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])
if ARGV[5] == 'revoked' then redis.call('ZADD', KEYS[3], ARGV[6], ARGV[4])
else redis.call('ZREM', KEYS[3], ARGV[4]) end
return 1`,
  3,
);

/**
 * ARGV: expected version, tombstone JSON, session id. Replaces a session by its
 * tombstone (same expiry) and takes it out of its identifier's index, whose key names
 * the identifier and goes with its last member; answers 0 when the version moved on.
 */
const ERASE = new RedisLuaScript(
  `local current = redis.call('GET', KEYS[1])
if not current then return 1 end
if cjson.decode(current).version ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
redis.call('ZREM', KEYS[2], ARGV[3])
return 1`,
  2,
);

/**
 * KEYS: session key, last-use key, pair after pair; ARGV: each pair's use time. Moves a
 * session's last use forward (never back); the last-use key expires with the session's
 * key, and a session already gone gets none. The record itself is not rewritten (its
 * version and JSON stay as the last change left them), so a use never makes a
 * compare-and-set lose.
 */
const RECORD_USES = new RedisLuaScript(
  `for i = 1, #ARGV do
  local ttl = redis.call('PTTL', KEYS[2 * i - 1])
  if ttl > 0 then
    local current = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
    if current < tonumber(ARGV[i]) then redis.call('SET', KEYS[2 * i], ARGV[i], 'PX', ttl) end
  end
end
return 1`,
  'variable',
);
/** Sessions per RECORD_USES call: bounds the time one script holds Redis. */
const USES_PER_CALL = 500;

/** SCAN page size while looking for a user's identifier indexes. */
const SCAN_COUNT = 1_000;
/** Attempts per session when its record changes while it is being erased. */
const ERASE_ATTEMPTS = 5;

/**
 * Session state in Redis for the distributed mode, its events in any EventLog (Kafka).
 * Redis and the log cannot commit together, so every change writes Redis first and the
 * log second, and undoes the Redis write when the append fails: no change is
 * acknowledged without its events, and a failed call leaves the state as it found it.
 * Revocations reach every instance through a Redis channel, with a periodic poll of the
 * revoked set behind it for publications missed while a connection was down.
 */
export class RedisSessionStore implements SessionStore {
  private readonly keys: RedisKeys;
  private readonly clock: Clock;
  private readonly logger: Pick<LoggerService, 'warn' | 'error'> | undefined;
  private readonly resyncIntervalMs: number;
  private readonly retainMs: number;
  private readonly listeners: Array<(revoked: RevokedSession) => void> = [];
  /** Revocations already handed to the listeners, by session id → refreshExpiresAt. */
  private readonly seen = new Map<string, number>();
  private subscriber: Redis | undefined;
  private subscribed: Promise<void> | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private resyncRunning = false;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly eventLog: EventLog,
    prefix: string,
    options: RedisSessionStoreOptions = {},
  ) {
    this.keys = new RedisKeys(prefix);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
    this.resyncIntervalMs = options.resyncIntervalMs ?? DEFAULT_RESYNC_INTERVAL_MS;
    this.retainMs = options.retainMs ?? DEFAULT_RETAIN_MS;
  }

  /**
   * Redis first, then the log. Writing the session first means a concurrent reader
   * (a refresh, a revoke by identifier, a projection joining on state) never meets an
   * event whose session does not exist yet; the reverse order would need the log to
   * undo an append, which it cannot. If the append fails the session is deleted again
   * (compensation) before the error is rethrown, so the caller, who never got tokens,
   * leaves nothing behind.
   */
  async create(record: SessionRecord, events: readonly EventEnvelope[]): Promise<void> {
    const created = await this.redisCall(() =>
      CREATE.run(this.redis, this.keysOf(record), [
        JSON.stringify(record),
        this.expireAtOf(record),
        record.startedAt,
        record.sessionId,
        record.status,
        record.refreshExpiresAt,
      ]),
    );
    if (created !== 1) throw new Error(`session ${record.sessionId} already exists`);
    try {
      await this.eventLog.append(events);
    } catch (error) {
      await this.compensate('delete the session', () => DELETE.run(this.redis, this.keysOf(record), [record.sessionId]), record.sessionId);
      throw error;
    }
  }

  /** The record with its latest recorded use (one MGET: the record and its last-use key). */
  async find(sessionId: string): Promise<SessionRecord | undefined> {
    const [json, used] = await this.redisCall(() => this.redis.mget(this.keys.session(sessionId), this.keys.lastUse(sessionId)));
    if (json === null) return undefined;
    const record = withTimeouts(JSON.parse(json) as SessionRecord);
    const lastUse = used === null ? 0 : Number(used);
    return lastUse > record.lastUsedAt ? { ...record, lastUsedAt: lastUse } : record;
  }

  async recordUses(uses: readonly SessionUse[]): Promise<void> {
    for (let start = 0; start < uses.length; start += USES_PER_CALL) {
      const batch = uses.slice(start, start + USES_PER_CALL);
      const keys = batch.flatMap((use) => [this.keys.session(use.sessionId), this.keys.lastUse(use.sessionId)]);
      await this.redisCall(() =>
        RECORD_USES.run(
          this.redis,
          keys,
          batch.map((use) => use.lastUsedAt),
        ),
      );
    }
  }

  /**
   * One Lua compare-and-set on the stored version (so of two racing updates exactly one
   * wins), then the append; a failed append restores the previous record unless a later
   * change already replaced ours.
   */
  async update(record: SessionRecord, expectedVersion: number, events: readonly EventEnvelope[]): Promise<boolean> {
    const keys = this.keysOf(record);
    const previousJson = await this.redisCall(() =>
      COMPARE_AND_SET.run(this.redis, keys, [
        expectedVersion,
        JSON.stringify(record),
        this.expireAtOf(record),
        record.sessionId,
        record.status,
        record.refreshExpiresAt,
      ]),
    );
    if (typeof previousJson !== 'string') return false;
    try {
      await this.eventLog.append(events);
    } catch (error) {
      const previous = JSON.parse(previousJson) as SessionRecord;
      await this.compensate(
        'restore the previous record',
        () =>
          REVERT.run(this.redis, keys, [
            record.version,
            previousJson,
            this.expireAtOf(previous),
            previous.sessionId,
            previous.status,
            previous.refreshExpiresAt,
          ]),
        record.sessionId,
      );
      throw error;
    }
    if (record.status === 'revoked' && record.revokedAt !== null) {
      const revoked: RevokedSession = { sessionId: record.sessionId, revokedAt: record.revokedAt, refreshExpiresAt: record.refreshExpiresAt };
      // This process hears of its own revocation at once, as with the embedded store;
      // the channel then carries it to the others (and back here, where it is known).
      this.deliver(revoked);
      await this.redis.publish(this.keys.revocationChannel(), JSON.stringify(revoked)).catch((error: unknown) => {
        this.logger?.warn(`revocation of ${record.sessionId} not published (the periodic resync will carry it): ${describe(error)}`);
      });
    }
    return true;
  }

  /**
   * The identifier's index holds every session of it; all are read, so filtering,
   * ordering (newest first, then by id, as the embedded store) and the total are exact.
   * Members whose session key expired are pruned on the way.
   */
  async listByIdentifier(query: IdentifierSessionsQuery): Promise<{ total: number; records: SessionRecord[] }> {
    const indexKey = this.keys.identifier(query.product, query.env, query.tag, query.identifier);
    const records = await this.redisCall(async () => {
      const ids = await this.redis.zrange(indexKey, '0', '-1');
      return this.readSessions(ids, (missing) => this.redis.zrem(indexKey, ...missing));
    });
    const { liveAt } = query;
    const matching = liveAt === undefined ? records : records.filter((r) => r.status === 'active' && r.refreshExpiresAt > liveAt);
    matching.sort((a, b) => b.startedAt - a.startedAt || (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
    return { total: matching.length, records: matching.slice(query.offset, query.offset + query.limit) };
  }

  async listRevoked(now: number): Promise<RevokedSession[]> {
    const revokedKey = this.keys.revoked();
    const records = await this.redisCall(async () => {
      // Past its end a revoked session has no token left that could pass verification.
      await this.redis.zremrangebyscore(revokedKey, '-inf', String(this.clock()));
      const ids = await this.redis.zrangebyscore(revokedKey, `(${now}`, '+inf');
      return this.readSessions(ids, (missing) => this.redis.zrem(revokedKey, ...missing));
    });
    return records
      .filter((r) => r.status === 'revoked' && r.revokedAt !== null && r.refreshExpiresAt > now)
      .map((r) => ({ sessionId: r.sessionId, revokedAt: r.revokedAt as number, refreshExpiresAt: r.refreshExpiresAt }));
  }

  /**
   * The user's index keys are found with SCAN (one per env and tag the user has sessions
   * in): a walk over the keyspace, acceptable for an erasure or an export, never used on
   * a request's hot path.
   */
  async listOfUser(query: UserSessionsQuery): Promise<SessionRecord[]> {
    const envs = query.envs && query.envs.length > 0 ? new Set(query.envs) : undefined;
    const tags = query.tags && query.tags.length > 0 ? new Set(query.tags) : undefined;
    const records = await this.redisCall(async () => {
      const found: SessionRecord[] = [];
      const pattern = this.keys.identifierPattern(query.product, query.identifier);
      let cursor = '0';
      do {
        const [next, indexKeys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
        cursor = next;
        for (const indexKey of indexKeys) {
          const ids = await this.redis.zrange(indexKey, '0', '-1');
          found.push(...(await this.readSessions(ids, (missing) => this.redis.zrem(indexKey, ...missing))));
        }
      } while (cursor !== '0');
      return found;
    });
    const unique = new Map(records.map((record) => [record.sessionId, record]));
    return [...unique.values()].filter(
      (record) =>
        record.product === query.product && record.identifier === query.identifier && (!envs || envs.has(record.env)) && (!tags || tags.has(record.tag)),
    );
  }

  async eraseSessions(sessionIds: readonly string[], now: number): Promise<ErasedSessions> {
    const done: ErasedSessions = { erased: 0, live: [] };
    for (const sessionId of sessionIds) {
      const outcome = await this.eraseOne(sessionId, now);
      if (outcome === 'live') done.live.push(sessionId);
      else done.erased += 1;
    }
    return done;
  }

  private async eraseOne(sessionId: string, now: number): Promise<'erased' | 'live'> {
    for (let attempt = 1; attempt <= ERASE_ATTEMPTS; attempt += 1) {
      const record = await this.find(sessionId);
      if (!record) return 'erased';
      const keys = this.keysOf(record);
      if (record.refreshExpiresAt <= now) {
        await this.redisCall(() => DELETE.run(this.redis, keys, [sessionId]));
        return 'erased';
      }
      if (record.status !== 'revoked') return 'live';
      if (!holdsPersonalData(record)) return 'erased';
      const replaced = await this.redisCall(() => ERASE.run(this.redis, keys.slice(0, 2), [record.version, JSON.stringify(tombstoneOf(record)), sessionId]));
      if (replaced === 1) return 'erased';
    }
    throw new DomainError('STORE_UNAVAILABLE', `session ${sessionId} kept changing while it was being erased; retry`);
  }

  /**
   * Listeners hear of revocations made by any instance on this Redis: the first one
   * starts the subscription and the periodic resync.
   */
  onRevoked(listener: (revoked: RevokedSession) => void): void {
    this.listeners.push(listener);
    this.startListening();
  }

  /** Resolves once the revocation channel is subscribed (immediately if nobody listens). */
  listening(): Promise<void> {
    return this.subscribed ?? Promise.resolve();
  }

  /** Stops the resync and the subscription; the client passed in stays the caller's to close. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) {
      await this.subscribed?.catch(() => undefined);
      await subscriber.unsubscribe().catch(() => undefined);
      await subscriber.quit().catch(() => subscriber.disconnect());
    }
  }

  private startListening(): void {
    if (this.subscriber || this.closed) return;
    // A connection in subscriber mode can run no other command, hence its own.
    const subscriber = this.redis.duplicate();
    this.subscriber = subscriber;
    const channel = this.keys.revocationChannel();
    subscriber.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      try {
        this.deliver(JSON.parse(message) as RevokedSession);
      } catch (error) {
        this.logger?.warn(`unreadable revocation message ignored: ${describe(error)}`);
      }
    });
    subscriber.on('error', (error: Error) => {
      this.logger?.warn(`revocation subscriber: ${error.message}`);
    });
    this.subscribed = subscriber.subscribe(channel).then(() => undefined);
    this.subscribed.catch((error: unknown) => {
      this.logger?.error(`cannot subscribe to ${channel}: ${describe(error)}`);
    });
    this.resyncTimer = setInterval(() => void this.resync(), this.resyncIntervalMs);
    this.resyncTimer.unref();
  }

  private async resync(): Promise<void> {
    if (this.resyncRunning || this.closed) return;
    this.resyncRunning = true;
    try {
      const now = this.clock();
      for (const [sessionId, refreshExpiresAt] of this.seen) if (refreshExpiresAt <= now) this.seen.delete(sessionId);
      for (const revoked of await this.listRevoked(now)) this.deliver(revoked);
    } catch (error) {
      this.logger?.warn(`revocation resync failed: ${describe(error)}`);
    } finally {
      this.resyncRunning = false;
    }
  }

  /** Hands a revocation to the listeners once, however many paths bring it here. */
  private deliver(revoked: RevokedSession): void {
    if (this.seen.has(revoked.sessionId)) return;
    this.seen.set(revoked.sessionId, revoked.refreshExpiresAt);
    for (const listener of this.listeners) {
      try {
        listener(revoked);
      } catch (error) {
        this.logger?.error(`revocation listener failed for ${revoked.sessionId}: ${describe(error)}`);
      }
    }
  }

  private async readSessions(ids: string[], prune: (missing: string[]) => Promise<unknown>): Promise<SessionRecord[]> {
    if (ids.length === 0) return [];
    const values = await this.redis.mget(...ids.map((id) => this.keys.session(id)));
    const missing = ids.filter((_, index) => values[index] === null);
    if (missing.length > 0) await prune(missing);
    return values.filter((value): value is string => value !== null).map((value) => withTimeouts(JSON.parse(value) as SessionRecord));
  }

  /**
   * Redis failing (down, unreachable, out of retries) is the service being unavailable,
   * not a bug: callers get STORE_UNAVAILABLE (503 with Retry-After over HTTP). Nothing
   * was appended to the log when this throws: every append comes after a Redis write
   * that succeeded.
   */
  private async redisCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      this.logger?.error(`redis call failed: ${describe(error)}`);
      throw new DomainError('STORE_UNAVAILABLE', 'the session store is unavailable; nothing was changed, retry later');
    }
  }

  private keysOf(record: SessionRecord): string[] {
    return [this.keys.session(record.sessionId), this.keys.identifier(record.product, record.env, record.tag, record.identifier), this.keys.revoked()];
  }

  private expireAtOf(record: SessionRecord): number {
    return Math.max(record.refreshExpiresAt + this.retainMs, this.clock() + MIN_KEY_LIFETIME_MS);
  }

  /** A compensation that fails is logged; the caller gets the append's error either way. */
  private async compensate(what: string, action: () => Promise<unknown>, sessionId: string): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.logger?.error(`append failed and could not ${what} for session ${sessionId}: ${describe(error)}`);
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
