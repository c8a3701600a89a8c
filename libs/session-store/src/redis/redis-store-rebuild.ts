import {
  EventEnvelope,
  SESSION_EXTENDED,
  SESSION_REFRESHED,
  SESSION_REVOKED,
  SESSION_SPEC_CREATED,
  SESSION_SPEC_DELETED,
  SESSION_SPEC_UPDATED,
  SESSION_STARTED,
  SessionExtendedData,
  initialSessionState,
  SessionRecord,
  SessionRefreshedData,
  SessionRevokedData,
  SessionSpecData,
  SessionSpecDeletedData,
  SessionStartedData,
  StoredSpec,
  toWholeSecond,
} from '@waymark/domain';
import { EventLogReader, LoggedRecord } from '@waymark/event-log';
import type { Redis } from 'ioredis';
import { RedisKeys, specField } from './redis-keys';
import { RedisSpecValue } from './redis-spec-store';

/**
 * The log never holds refresh tokens or their hashes (by design), so a rebuilt session
 * gets this in place of one: not a SHA-256 hex digest, so no presented token matches
 * and the session cannot be refreshed. Verify, revoke, list and extend keep working;
 * its user refreshes by starting a new session.
 */
export const REBUILT_REFRESH_TOKEN_HASH = 'rebuilt-from-log:no-refresh-token';

export interface RebuiltState {
  sessions: Map<string, SessionRecord>;
  /** By `specField(product, tag)`. */
  specs: Map<string, StoredSpec>;
  /** Events that changed nothing: about an unknown session, or unreadable. */
  ignored: number;
  /**
   * Ids of the state-changing events folded so far. The log delivers at least once (a
   * retried Kafka produce can store an event twice), and folding a refresh twice would
   * count its version twice: a repeated id is skipped.
   */
  folded: Set<string>;
  duplicates: number;
}

export function emptyRebuiltState(): RebuiltState {
  return { sessions: new Map(), specs: new Map(), ignored: 0, folded: new Set(), duplicates: 0 };
}

/**
 * The session after one more event, from the events alone (pure). Lifetimes are read
 * back from the started event's expiries, which are whole seconds: for lifetimes in
 * whole seconds (every unit a spec offers) the difference to the session's start, cut
 * to its second, is the lifetime exactly. Undefined: the event does not apply.
 */
export function evolveSession(record: SessionRecord | undefined, event: EventEnvelope): SessionRecord | undefined {
  const occurredAt = Date.parse(event.occurredAt);
  switch (event.type) {
    case SESSION_STARTED: {
      if (record) return undefined;
      const data = event.data as SessionStartedData;
      const expiresAt = Date.parse(data.expiresAt);
      const refreshExpiresAt = Date.parse(data.refreshExpiresAt);
      return {
        sessionId: event.sessionId,
        product: event.product,
        env: event.env,
        tag: event.tag,
        identifier: event.identifier,
        ...initialSessionState(),
        startedAt: occurredAt,
        expiresAt,
        refreshExpiresAt,
        tokenTtlMs: expiresAt - toWholeSecond(occurredAt),
        refreshTtlMs: refreshExpiresAt - toWholeSecond(occurredAt),
        sealedData: data.sealedData,
        refreshTokenHash: REBUILT_REFRESH_TOKEN_HASH,
      };
    }
    case SESSION_REFRESHED: {
      if (!record) return undefined;
      const data = event.data as SessionRefreshedData;
      return {
        ...record,
        expiresAt: Date.parse(data.expiresAt),
        refreshExpiresAt: Date.parse(data.refreshExpiresAt),
        rotatedAt: occurredAt,
        lastRefreshSealed: null,
        generation: data.generation,
        version: record.version + 1,
      };
    }
    case SESSION_REVOKED: {
      if (!record || record.status === 'revoked') return undefined;
      const data = event.data as SessionRevokedData;
      return { ...record, status: 'revoked', revokedAt: occurredAt, revokeReason: data.reason, lastRefreshSealed: null, version: record.version + 1 };
    }
    case SESSION_EXTENDED: {
      if (!record) return undefined;
      const data = event.data as SessionExtendedData;
      return { ...record, refreshExpiresAt: Date.parse(data.refreshExpiresAt), version: record.version + 1 };
    }
    default:
      return undefined;
  }
}

/** The spec after one more spec event (pure); undefined: the event does not apply. */
export function evolveSpec(stored: StoredSpec | undefined, event: EventEnvelope): StoredSpec | undefined {
  switch (event.type) {
    case SESSION_SPEC_CREATED:
    case SESSION_SPEC_UPDATED: {
      const data = event.data as SessionSpecData;
      return { product: event.product, spec: data.spec, revision: data.revision, deleted: false };
    }
    case SESSION_SPEC_DELETED: {
      if (!stored) return undefined;
      const data = event.data as SessionSpecDeletedData;
      return { ...stored, revision: data.revision, deleted: true };
    }
    default:
      return undefined;
  }
}

const SPEC_EVENTS = new Set([SESSION_SPEC_CREATED, SESSION_SPEC_UPDATED, SESSION_SPEC_DELETED]);
const SESSION_EVENTS = new Set([SESSION_STARTED, SESSION_REFRESHED, SESSION_REVOKED, SESSION_EXTENDED]);

/** Folds one event into the state; events that change no state (activity) pass through. */
export function foldEvent(state: RebuiltState, event: EventEnvelope): RebuiltState {
  if (!SPEC_EVENTS.has(event.type) && !SESSION_EVENTS.has(event.type)) return state;
  if (state.folded.has(event.id)) {
    state.duplicates += 1;
    return state;
  }
  state.folded.add(event.id);
  if (SPEC_EVENTS.has(event.type)) {
    const field = specField(event.product, event.tag);
    const next = evolveSpec(state.specs.get(field), event);
    if (next) state.specs.set(field, next);
    else state.ignored += 1;
  } else if (SESSION_EVENTS.has(event.type)) {
    const next = evolveSession(state.sessions.get(event.sessionId), event);
    if (next) state.sessions.set(event.sessionId, next);
    else state.ignored += 1;
  }
  return state;
}

export interface RebuildOptions {
  /** Sessions past their end by more than `retainMs` at `now` are not written. */
  now?: number;
  retainMs?: number;
  batchSize?: number;
}

export interface RebuildReport {
  events: number;
  sessions: number;
  specs: number;
  ignored: number;
  duplicates: number;
}

const DEFAULT_RETAIN_MS = 24 * 60 * 60 * 1_000;

/**
 * Where the records come from: hands every record of the log to `onRecords`, in log
 * order within a partition (one user's events share a partition), and resolves at the
 * end. A log read at least once is fine: the fold skips repeated event ids.
 */
export type RecordSource = (onRecords: (records: LoggedRecord[]) => Promise<void> | void) => Promise<void>;

/** The whole log through an `EventLogReader` (the embedded log), `batchSize` records at a time. */
export function readerSource(reader: EventLogReader, batchSize = 1_000): RecordSource {
  return async (onRecords) => {
    const start = await reader.resolveStart({ kind: 'beginning' });
    if (start === undefined) return;
    let cursor: { from: string } | { after: string } = { from: start };
    for (;;) {
      const records = await reader.read(cursor, batchSize);
      if (records.length === 0) return;
      await onRecords(records);
      cursor = { after: records[records.length - 1].position };
    }
  };
}

/**
 * Rebuilds the Redis session and spec stores from the event log: clears every key under
 * `prefix`, reads the whole log in order, folds it and writes the result. Meant for a
 * Redis that lost its data, with the API stopped (changes made during the rebuild would
 * be cleared). The whole state is held in memory while folding.
 */
export async function rebuildRedisStores(
  source: EventLogReader | RecordSource,
  redis: Redis,
  prefix: string,
  options: RebuildOptions & { onProgress?: (eventsRead: number) => void } = {},
): Promise<RebuildReport> {
  const keys = new RedisKeys(prefix);
  const now = options.now ?? Date.now();
  const retainMs = options.retainMs ?? DEFAULT_RETAIN_MS;
  const batchSize = options.batchSize ?? 1_000;

  const state = emptyRebuiltState();
  let events = 0;
  const read = typeof source === 'function' ? source : readerSource(source, batchSize);
  await read((records) => {
    for (const record of records) {
      events += 1;
      let event: EventEnvelope;
      try {
        event = JSON.parse(record.raw) as EventEnvelope;
      } catch {
        state.ignored += 1;
        continue;
      }
      foldEvent(state, event);
    }
    options.onProgress?.(events);
  });

  await clearPrefix(redis, keys.pattern());

  let sessions = 0;
  const indexExpiry = new Map<string, number>();
  let pipeline = redis.pipeline();
  let queued = 0;
  for (const record of state.sessions.values()) {
    const expireAt = record.refreshExpiresAt + retainMs;
    if (expireAt <= now) continue;
    const indexKey = keys.identifier(record.product, record.env, record.tag, record.identifier);
    pipeline.set(keys.session(record.sessionId), JSON.stringify(record), 'PXAT', expireAt);
    pipeline.zadd(indexKey, record.startedAt, record.sessionId);
    indexExpiry.set(indexKey, Math.max(indexExpiry.get(indexKey) ?? 0, expireAt));
    if (record.status === 'revoked' && record.refreshExpiresAt > now) pipeline.zadd(keys.revoked(), record.refreshExpiresAt, record.sessionId);
    sessions += 1;
    queued += 1;
    if (queued >= batchSize) {
      await execOrThrow(pipeline);
      pipeline = redis.pipeline();
      queued = 0;
    }
  }
  for (const [indexKey, expireAt] of indexExpiry) pipeline.pexpireat(indexKey, expireAt);
  for (const [field, stored] of state.specs) {
    const value: RedisSpecValue = { spec: stored.spec, revision: stored.revision, deleted: stored.deleted };
    pipeline.hset(keys.specs(), field, JSON.stringify(value));
  }
  await execOrThrow(pipeline);
  return { events, sessions, specs: state.specs.size, ignored: state.ignored, duplicates: state.duplicates };
}

async function clearPrefix(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (found.length > 0) await redis.del(...found);
    cursor = next;
  } while (cursor !== '0');
}

async function execOrThrow(pipeline: ReturnType<Redis['pipeline']>): Promise<void> {
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed) throw failed[0];
}
