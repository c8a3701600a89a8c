import { ClickHouseClient } from '@clickhouse/client';
import {
  EventEnvelope,
  SESSION_EXTENDED,
  SESSION_REFRESHED,
  SESSION_REVOKED,
  SESSION_SPEC_CREATED,
  SESSION_SPEC_DELETED,
  SESSION_SPEC_UPDATED,
  SESSION_STARTED,
  SPENT_REFRESH_HASHES_KEPT,
  SessionRecord,
  StoredSpec,
  evolveSession,
  evolveSpec,
  toWaymarkEvent,
} from '@waymark/domain';
import { CheckpointFact, PlacedEvent, SqliteLogFacts, SqliteLogRestorer } from '@waymark/event-log';
import { PersonalDataCodec } from '@waymark/privacy';
import { REBUILT_REFRESH_TOKEN_HASH, SqliteSessionStore, SqliteSpecStore } from '@waymark/session-store';
import { MissingEvent, compareEmbeddedLog } from './embedded-log-integrity';
import { readModelEnvelopes } from './read-model-envelopes';

const CHUNK = 5_000;
const SESSION_EVENTS = new Set([SESSION_STARTED, SESSION_REFRESHED, SESSION_REVOKED, SESSION_EXTENDED]);
const SPEC_EVENTS = new Set([SESSION_SPEC_CREATED, SESSION_SPEC_UPDATED, SESSION_SPEC_DELETED]);

/**
 * Where restored events go. `original`: every lost position is free (nothing was
 * written after the loss), so each event gets its old position back and the log is as
 * it was. `after`: new events took lost positions, so the restored ones follow the
 * highest position either side has used; either way no position, and so no projector
 * insert token (`read-model:<first>-<last>`) that ClickHouse's deduplication window may
 * still hold, is ever given to other events than it named before.
 */
export type Placement = { kind: 'original' } | { kind: 'after'; first: number };

export interface RepairPlan {
  head: number;
  top: number;
  missing: MissingEvent[];
  placement: Placement;
  byType: Record<string, number>;
  /** Sessions whose state (SQLite `sessions`) the restored events change. */
  sessions: number;
  /** Ids whose read-model row no longer forms a valid envelope: not restorable. */
  unreadable: string[];
  checkpointsAhead: CheckpointFact[];
}

export interface RepairReport {
  restored: number;
  sessionsRebuilt: number;
  sessionsUpdated: number;
  specsRestored: number;
  /** Session or spec events whose state change did not apply (e.g. a start for a session that exists). */
  stateNotApplied: number;
  unreadable: number;
  /** Events of users erased since they were projected (an erasure cut short before it deleted their rows): not restored. */
  erased: number;
}

export interface RepairStores {
  clickhouse: ClickHouseClient;
  facts: SqliteLogFacts;
  restorer: SqliteLogRestorer;
  sessions: SqliteSessionStore;
  specs: SqliteSpecStore;
  /**
   * Stores the restored events as the service stores events (user named by subject, data
   * sealed with the user's key), and says which users were erased. The read model holds
   * events as the handlers made them; without a codec they go back into the log so (a
   * log written before crypto-shredding).
   */
  codec?: PersonalDataCodec;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}

/** What a repair would do, read-only: the dry run prints it, the repair follows it. */
export async function planEmbeddedLogRepair(stores: Pick<RepairStores, 'clickhouse' | 'facts'>): Promise<RepairPlan> {
  const { head, top, missing } = await compareEmbeddedLog(stores.facts, stores.clickhouse);
  const original = missing.every((event, index) => event.position > head && (index === 0 || event.position > missing[index - 1].position));
  const placement: Placement = original ? { kind: 'original' } : { kind: 'after', first: Math.max(head, top) + 1 };
  const byType: Record<string, number> = {};
  const sessions = new Set<string>();
  const unreadable: string[] = [];
  for (const slice of chunks(missing, CHUNK)) {
    const found = await readModelEnvelopes(
      stores.clickhouse,
      slice.map((event) => event.id),
    );
    unreadable.push(...found.unreadable);
    for (const event of found.events.values()) {
      byType[event.type] = (byType[event.type] ?? 0) + 1;
      if (SESSION_EVENTS.has(event.type)) sessions.add(event.sessionId);
    }
  }
  return { head, top, missing, placement, byType, sessions: sessions.size, unreadable, checkpointsAhead: stores.facts.checkpointsBeyond(head) };
}

/**
 * Puts the events the read model holds and the log lost back into the log, in their
 * old order, and the session and spec state they imply back into SQLite. Each slice of
 * events and its state changes commit in one group commit (one transaction), so a
 * repair cut short leaves no event without its state; running it again finds what is
 * still missing and goes on. Run it with the service stopped.
 *
 * What it cannot restore: events the read model never had (lost before they were
 * projected, or dead-lettered), and refresh tokens. The log never holds refresh tokens
 * or their hashes, so a session started or refreshed in the lost tail is rebuilt
 * without one (as `waymark rebuild-redis` does): verify, revoke, extend and listing
 * work, a refresh is refused, and its user starts a new session.
 */
export async function runEmbeddedLogRepair(
  plan: RepairPlan,
  stores: RepairStores,
  onProgress: (restored: number, total: number) => void,
): Promise<RepairReport> {
  const report: RepairReport = { restored: 0, sessionsRebuilt: 0, sessionsUpdated: 0, specsRestored: 0, stateNotApplied: 0, unreadable: 0, erased: 0 };
  const state = new StateFold(stores, report);
  let next = plan.placement.kind === 'after' ? plan.placement.first : 0;
  for (const slice of chunks(plan.missing, CHUNK)) {
    const found = await readModelEnvelopes(
      stores.clickhouse,
      slice.map((event) => event.id),
    );
    report.unreadable += found.unreadable.length;
    const erased = stores.codec ? await erasedAmong(stores.codec, [...found.events.values()]) : new Set<string>();
    report.erased += erased.size;
    const placed: PlacedEvent[] = [];
    for (const missing of slice) {
      const event = found.events.get(missing.id);
      if (!event || erased.has(event.id)) continue;
      placed.push({ position: plan.placement.kind === 'original' ? missing.position : next++, event });
    }
    const stored = stores.codec ? await stores.codec.encodeAll(placed.map(({ event }) => event)) : undefined;
    // Queued without awaiting in between, so that the events and every state write of the
    // slice join the writer's one group commit.
    const writes: Array<Promise<unknown>> = [stores.restorer.restore(stored ? placed.map((one, index) => ({ ...one, event: stored[index] })) : placed)];
    for (const { event } of placed) writes.push(...(await state.apply(event)));
    await Promise.all(writes);
    report.restored += placed.length;
    onProgress(report.restored, plan.missing.length);
  }
  return report;
}

/**
 * Ids of the events whose user has been erased since they happened: an erasure cut
 * short between destroying the key and deleting the read model's rows leaves rows a
 * repair would otherwise put back, encoded under a brand-new key (docs/privacy.md).
 * A user erased and back since keeps the events after their erasure.
 */
async function erasedAmong(codec: PersonalDataCodec, events: readonly EventEnvelope[]): Promise<Set<string>> {
  const lookupOf = new Map<EventEnvelope, string>();
  for (const event of events) if (event.identifier !== '') lookupOf.set(event, codec.keys.lookupOf(event.product, event.identifier));
  if (lookupOf.size === 0) return new Set();
  const erasures = await codec.keys.store.findErasures([...new Set(lookupOf.values())]);
  const erased = new Set<string>();
  for (const [event, lookup] of lookupOf) {
    const erasure = erasures.get(lookup);
    if (erasure && Date.parse(event.occurredAt) <= erasure.updatedAt) erased.add(event.id);
  }
  return erased;
}

/**
 * The refresh token a lost refresh handed out was never logged, so no token can refresh
 * the session now; the one it spent counts as spent again, so presenting it is reuse,
 * as it was before the loss.
 */
function afterLostRefresh(before: SessionRecord, evolved: SessionRecord): SessionRecord {
  const spent =
    before.refreshTokenHash === REBUILT_REFRESH_TOKEN_HASH ? before.spentRefreshTokenHashes : [before.refreshTokenHash, ...before.spentRefreshTokenHashes];
  return { ...evolved, refreshTokenHash: REBUILT_REFRESH_TOKEN_HASH, spentRefreshTokenHashes: spent.slice(0, SPENT_REFRESH_HASHES_KEPT) };
}

/** Folds restored events into session and spec state, reading each record once and then keeping it. */
class StateFold {
  private readonly sessions = new Map<string, SessionRecord | undefined>();
  private readonly specs = new Map<string, StoredSpec | undefined>();

  constructor(
    private readonly stores: Pick<RepairStores, 'sessions' | 'specs'>,
    private readonly report: RepairReport,
  ) {}

  /** The state writes for `event`, queued (not awaited). */
  async apply(event: EventEnvelope): Promise<Array<Promise<unknown>>> {
    if (SESSION_EVENTS.has(event.type)) return this.applySession(event);
    if (SPEC_EVENTS.has(event.type)) return this.applySpec(event);
    return [];
  }

  private async applySession(event: EventEnvelope): Promise<Array<Promise<unknown>>> {
    const current = this.sessions.has(event.sessionId) ? this.sessions.get(event.sessionId) : await this.stores.sessions.find(event.sessionId);
    const typed = toWaymarkEvent(event);
    const evolved = typed && evolveSession(current, typed);
    if (!evolved) {
      this.report.stateNotApplied += 1;
      this.sessions.set(event.sessionId, current);
      return [];
    }
    const next = event.type === SESSION_REFRESHED && current ? afterLostRefresh(current, evolved) : evolved;
    this.sessions.set(event.sessionId, next);
    if (current) {
      this.report.sessionsUpdated += 1;
      return [this.stores.sessions.update(next, current.version, [])];
    }
    this.report.sessionsRebuilt += 1;
    return [this.stores.sessions.create(next, [])];
  }

  private async applySpec(event: EventEnvelope): Promise<Array<Promise<unknown>>> {
    const key = `${event.product}\u001f${event.tag}`;
    const current = this.specs.has(key) ? this.specs.get(key) : await this.stores.specs.get(event.product, event.tag);
    const typed = toWaymarkEvent(event);
    const next = typed && evolveSpec(current, typed);
    if (!next) {
      this.report.stateNotApplied += 1;
      this.specs.set(key, current);
      return [];
    }
    this.specs.set(key, next);
    this.report.specsRestored += 1;
    return [this.stores.specs.save(next, current?.revision ?? 0, [])];
  }
}
