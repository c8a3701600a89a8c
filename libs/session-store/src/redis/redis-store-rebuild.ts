import {
  EventEnvelope,
  SessionRecord,
  StoredSpec,
  WaymarkEvent,
  evolveSession,
  evolveSpec,
  isSessionStateEvent,
  isSpecEvent,
  parseWaymarkEvent,
  toWaymarkEvent,
} from '@waymark/domain';
import { EventLogReader, LoggedRecord } from '@waymark/event-log';
import { PersonalDataCodec } from '@waymark/privacy';
import type { Redis } from 'ioredis';
import { RedisKeys, specField } from './redis-keys';
import { RedisSpecValue } from './redis-spec-store';

/** Where it always was for the CLI and the tests; the fold that writes it is the domain's. */
export { REBUILT_REFRESH_TOKEN_HASH } from '@waymark/domain';

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
 * Folds one event into the state with the domain's `evolveSession` and `evolveSpec`
 * (the log carries no refresh secrets, so sessions get `REBUILT_REFRESH_TOKEN_HASH`);
 * events that change no state (activity) pass through.
 */
export function foldEvent(state: RebuiltState, event: WaymarkEvent): RebuiltState {
  const isSession = isSessionStateEvent(event);
  if (!isSession && !isSpecEvent(event)) return state;
  if (state.folded.has(event.id)) {
    state.duplicates += 1;
    return state;
  }
  state.folded.add(event.id);
  if (isSession) {
    const next = evolveSession(state.sessions.get(event.sessionId), event);
    if (next) state.sessions.set(event.sessionId, next);
    else state.ignored += 1;
  } else {
    const field = specField(event.product, event.tag);
    const next = evolveSpec(state.specs.get(field), event);
    if (next) state.specs.set(field, next);
    else state.ignored += 1;
  }
  return state;
}

export interface RebuildOptions {
  /** Sessions past their end by more than `retainMs` at `now` are not written. */
  now?: number;
  retainMs?: number;
  batchSize?: number;
  /**
   * Decodes the stored events (users named by subject, data sealed with their keys);
   * an erased user's events are skipped, so the rebuild gives them no session back.
   * Absent: records folded as stored (a log written before crypto-shredding).
   */
  codec?: PersonalDataCodec;
}

export interface RebuildReport {
  events: number;
  sessions: number;
  specs: number;
  ignored: number;
  duplicates: number;
  /** Events of erased users, skipped (present when a codec decoded the log). */
  erased?: number;
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
  let erased = 0;
  const codec = options.codec;
  const read = typeof source === 'function' ? source : readerSource(source, batchSize);
  await read(async (records) => {
    events += records.length;
    const parsed = records.map((record) => parseWaymarkEvent(record.raw));
    // Throws when the key store cannot answer: the rebuild fails rather than leave users out.
    if (codec) await codec.prepareDecode(parsed.filter((event): event is WaymarkEvent => event !== undefined));
    for (const stored of parsed) {
      if (!stored) {
        state.ignored += 1;
        continue;
      }
      const decoded: EventEnvelope | undefined = codec ? codec.decode(stored) : stored;
      if (!decoded) {
        erased += 1;
        continue;
      }
      const event = decoded === stored ? stored : toWaymarkEvent(decoded);
      if (event) foldEvent(state, event);
      else state.ignored += 1;
    }
    options.onProgress?.(events);
  });

  await clearPrefix(redis, keys.pattern());
  const written = await writeRedisState(redis, prefix, state.sessions.values(), state.specs, { now, retainMs, batchSize });
  return { events, sessions: written.sessions, specs: written.specs, ignored: state.ignored, duplicates: state.duplicates, ...(codec ? { erased } : {}) };
}

/**
 * Writes session records and specs into the Redis stores' layout (the record, the
 * identifier index, the revoked set, the specs hash), as the store itself would have
 * them. Sessions past their end by more than `retainMs` are left out. Overwrites what it
 * writes and nothing else: the rebuild clears the prefix first, a migration from the
 * embedded store (`waymark migrate-to-distributed`) writes into an empty one.
 */
export async function writeRedisState(
  redis: Redis,
  prefix: string,
  sessionRecords: Iterable<SessionRecord>,
  specs: ReadonlyMap<string, StoredSpec>,
  options: { now: number; retainMs?: number; batchSize?: number },
): Promise<{ sessions: number; specs: number }> {
  const keys = new RedisKeys(prefix);
  const { now } = options;
  const retainMs = options.retainMs ?? DEFAULT_RETAIN_MS;
  const batchSize = options.batchSize ?? 1_000;
  let sessions = 0;
  const indexExpiry = new Map<string, number>();
  let pipeline = redis.pipeline();
  let queued = 0;
  for (const record of sessionRecords) {
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
  for (const [field, stored] of specs) {
    const value: RedisSpecValue = { spec: stored.spec, revision: stored.revision, deleted: stored.deleted };
    pipeline.hset(keys.specs(), field, JSON.stringify(value));
  }
  await execOrThrow(pipeline);
  return { sessions, specs: specs.size };
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
  if (failed) throw failed[0] instanceof Error ? failed[0] : new Error(String(failed[0]));
}
