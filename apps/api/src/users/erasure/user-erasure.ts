import { ClickHouseClient } from '@clickhouse/client';
import { Logger } from '@nestjs/common';
import { ErasureReceipt } from '@waymark/contract';
import {
  ALL_SCOPES,
  Clock,
  DomainError,
  EventEnvelope,
  IDENTIFIER_ERASED,
  IdGenerator,
  NO_SESSION_ID,
  SessionRecord,
  decideRevoke,
  isLive,
} from '@waymark/domain';
import { EventLog } from '@waymark/event-log';
import { PersonalDataCodec, UserKeyStore, UserKeys } from '@waymark/privacy';
import { SessionStore, handleSessionCommand } from '@waymark/session-store';
// The read model's index does not export the erasure module yet (not this change's file): see the report.
import { RowCounts, UserRowsEraser } from '@waymark/read-model';
import { ErasureProgress, ErasureRequest, ErasureStep, erasureRecordKey, isWholeProduct, parseProgress } from './erasure-progress';
import { waitForProjector } from './projector-wait';

export interface UserErasureDependencies {
  keyStore: UserKeyStore;
  keys: UserKeys;
  /** The codec of this process, told at once of a legacy identifier's erasure. */
  codec?: PersonalDataCodec;
  sessions: SessionStore;
  eventLog: EventLog;
  clickhouse: ClickHouseClient;
  clock: Clock;
  newId: IdGenerator;
}

export interface UserErasureOptions {
  /** The read model's consumer group. */
  projectorGroup: string;
  /** How long to wait for the projector before answering 503 (the retry finishes). */
  projectorTimeoutMs: number;
  projectorPollMs: number;
  /**
   * How long after the key's destruction other processes may still use it from their
   * caches (distributed: their UserKeys cacheMs; embedded: 0, one process). The wait
   * for the projector starts after it, so no row projected with a cached key arrives
   * after the rows were deleted.
   */
  keyCacheMs: number;
}

/** Called after each step (a test seam: a hook that throws is a crash between two steps). */
export type ErasureStepHook = (step: ErasureStep) => void | Promise<void>;

const SESSION_ROUNDS = 3;

/**
 * Erases one user (POST /v1/users/erase, docs/privacy.md), in steps that are each safe
 * to redo, with the progress kept in the user-key store so that a retry after a crash
 * at any point finishes the erasure:
 *
 * 1. record the erasure as started (a whole-product one also hides the user's legacy,
 *    clear-identifier events from every replay from now on);
 * 2. revoke the user's live sessions in scope (reason `erased`), then empty their
 *    records (tombstones for revoked ones until their end);
 * 3. destroy the user's key (whole product only): the log's events of the user no longer
 *    decode, in this process at once, elsewhere within `keyCacheMs`;
 * 4. wait until the projector has processed everything appended so far (bounded: 503);
 * 5. count, then delete, the user's rows in every read-model table;
 * 6. append IdentifierErased once (its id chosen at step 1);
 * 7. record the erasure as finished, with its receipt.
 */
export class UserErasure {
  private readonly logger = new Logger('erasure');
  private readonly rows: UserRowsEraser;
  /** Tests set it to crash between steps. */
  stepHook: ErasureStepHook | undefined;

  constructor(
    private readonly deps: UserErasureDependencies,
    private readonly options: UserErasureOptions,
  ) {
    this.rows = new UserRowsEraser(deps.clickhouse);
  }

  async erase(request: ErasureRequest): Promise<ErasureReceipt> {
    const { keyStore, keys } = this.deps;
    const lookup = keys.lookupOf(request.product, request.identifier);
    const recordKey = erasureRecordKey(lookup, request);
    const existing = (await keyStore.findErasures([recordKey])).get(recordKey);
    let progress = existing ? parseProgress(existing.receipt) : undefined;

    if (existing?.state === 'finished' && progress) {
      // Idempotent: the first receipt again, unless the user came back since (new
      // sessions, a new key, new rows), in which case this is a new erasure.
      if (!(await this.hasDataAgain(request))) return this.receiptOf(request, progress, true);
      progress = undefined;
    }
    if (!progress || existing?.state === 'finished') {
      const key = await keys.find(request.product, request.identifier);
      progress = {
        id: this.deps.newId(),
        eventId: this.deps.newId(),
        subject: key?.subject ?? null,
        envs: request.envs,
        tags: request.tags,
        startedAt: this.deps.clock(),
      };
      await this.save(recordKey, request, progress, 'started');
    }
    if (isWholeProduct(request)) this.deps.codec?.noteLegacyErased(request.product, request.identifier);
    await this.step('started');

    if (progress.sessionsErased === undefined) {
      await this.eraseSessions(request, progress, recordKey);
    }

    if (isWholeProduct(request) && progress.keyDestroyedAt === undefined) {
      await keyStore.destroy(lookup);
      if (progress.subject !== null) keys.forget(progress.subject, lookup);
      progress.keyDestroyedAt = this.deps.clock();
      await this.save(recordKey, request, progress, 'started');
    }
    await this.step('key-destroyed');

    await this.waitForProjector(progress);
    await this.step('projector-caught-up');

    const footprint = await this.rows.footprint(request);
    const counts = await this.rows.count(request, footprint);
    progress.readModelRowsDeleted = mergeCounts(progress.readModelRowsDeleted, counts);
    await this.save(recordKey, request, progress, 'started');
    await this.rows.delete(request, footprint, counts);
    await this.step('rows-deleted');

    if (!progress.eventAppended) {
      await this.appendErased(request, progress, recordKey);
    }
    await this.step('event-appended');

    progress.erasedAt = this.deps.clock();
    await this.save(recordKey, request, progress, 'finished');
    return this.receiptOf(request, progress, false);
  }

  private async eraseSessions(request: ErasureRequest, progress: ErasureProgress, recordKey: string): Promise<void> {
    const { sessions } = this.deps;
    let erased = 0;
    for (let round = 1; ; round += 1) {
      const records = await sessions.listOfUser(request);
      if (progress.sessionsRevoked === undefined || round > 1) {
        await Promise.all(records.filter((record) => isLive(record, this.deps.clock())).map((record) => this.revoke(record, request.requestId)));
        // Counted from the records, not from this call's outcomes, so a retry after a
        // crash here counts the sessions the first attempt revoked too.
        const revoked = (await sessions.listOfUser(request)).filter(
          (record) => record.revokeReason === 'erased' && (record.revokedAt ?? 0) >= progress.startedAt,
        );
        progress.sessionsRevoked = Math.max(progress.sessionsRevoked ?? 0, revoked.length);
        await this.save(recordKey, request, progress, 'started');
        await this.step('sessions-revoked');
      }
      const current = await sessions.listOfUser(request);
      const outcome = await sessions.eraseSessions(
        current.map((record) => record.sessionId),
        this.deps.clock(),
      );
      erased += outcome.erased;
      // A session started while this ran is live: revoke it too, then empty it.
      if (outcome.live.length === 0) break;
      if (round >= SESSION_ROUNDS) {
        throw new DomainError('STORE_UNAVAILABLE', 'the user kept starting sessions while being erased; retry to finish the erasure');
      }
    }
    progress.sessionsErased = erased;
    await this.save(recordKey, request, progress, 'started');
    await this.step('sessions-erased');
  }

  private revoke(record: SessionRecord, requestId: string | undefined): Promise<boolean> {
    return handleSessionCommand(
      this.deps.sessions,
      record.sessionId,
      (current) => {
        const decision = current && decideRevoke(current, 'erased', { now: this.deps.clock(), eventId: this.deps.newId(), meta: { requestId, source: 'api' } });
        return decision ? { kind: 'save', events: decision.events, answer: () => true } : { kind: 'answer', answer: false };
      },
      { what: 'erasing', initial: record },
    );
  }

  private async waitForProjector(progress: ErasureProgress): Promise<void> {
    if (progress.keyDestroyedAt !== undefined && progress.subject !== null) {
      const settle = progress.keyDestroyedAt + this.options.keyCacheMs - this.deps.clock();
      if (settle > 0) await new Promise((resolve) => setTimeout(resolve, settle));
    }
    const caughtUp = await waitForProjector(this.deps.eventLog, {
      group: this.options.projectorGroup,
      timeoutMs: this.options.projectorTimeoutMs,
      pollMs: this.options.projectorPollMs,
    });
    if (!caughtUp) {
      throw new DomainError(
        'STORE_UNAVAILABLE',
        `the read model did not catch up within ${Math.round(this.options.projectorTimeoutMs / 1000)} s; the erasure is recorded and a retry finishes it`,
      );
    }
  }

  private async appendErased(request: ErasureRequest, progress: ErasureProgress, recordKey: string): Promise<void> {
    if (progress.appendStartedAt !== undefined) {
      // A previous attempt may have appended it before crashing: once the projector has
      // passed it, the read model says whether it is in the log.
      await this.waitForProjector({ ...progress, keyDestroyedAt: undefined });
      if (await this.eventProjected(request.product, progress.eventId)) {
        progress.eventAppended = true;
        await this.save(recordKey, request, progress, 'started');
        return;
      }
    }
    progress.appendStartedAt = this.deps.clock();
    await this.save(recordKey, request, progress, 'started');
    await this.deps.eventLog.append([this.erasedEvent(request, progress)]);
    progress.eventAppended = true;
    await this.save(recordKey, request, progress, 'started');
  }

  private erasedEvent(request: ErasureRequest, progress: ErasureProgress): EventEnvelope {
    const total = Object.values(progress.readModelRowsDeleted ?? {}).reduce((sum, n) => sum + n, 0);
    return {
      id: progress.eventId,
      type: IDENTIFIER_ERASED,
      version: 1,
      occurredAt: new Date(progress.appendStartedAt ?? this.deps.clock()).toISOString(),
      product: request.product,
      env: ALL_SCOPES,
      tag: ALL_SCOPES,
      sessionId: NO_SESSION_ID,
      identifier: '',
      data: {
        // Only a whole-product erasure names the subject: readers forget a subject's key
        // when they read its IdentifierErased, and a narrowed erasure keeps the key.
        subject: isWholeProduct(request) ? (progress.subject ?? '') : '',
        envs: request.envs,
        tags: request.tags,
        sessionsRevoked: progress.sessionsRevoked ?? 0,
        readModelRowsDeleted: total,
      },
      meta: { requestId: request.requestId, source: 'api' },
    };
  }

  private async eventProjected(product: string, eventId: string): Promise<boolean> {
    const result = await this.deps.clickhouse.query({
      query: `SELECT count() AS n FROM events
              WHERE product = {product:String} AND env = {scope:String} AND tag = {scope:String} AND identifier = '' AND event_id = {id:UUID}`,
      query_params: { product, scope: ALL_SCOPES, id: eventId },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ n: string | number }>();
    return Number(row?.n ?? 0) > 0;
  }

  /** Whether anything of the user is back in scope since a finished erasure. */
  private async hasDataAgain(request: ErasureRequest): Promise<boolean> {
    if (isWholeProduct(request) && (await this.deps.keys.find(request.product, request.identifier))) return true;
    if ((await this.deps.sessions.listOfUser(request)).length > 0) return true;
    return (await this.rows.footprint(request)) !== undefined;
  }

  private async save(recordKey: string, request: ErasureRequest, progress: ErasureProgress, state: 'started' | 'finished'): Promise<void> {
    await this.deps.keyStore.putErasure({
      lookup: recordKey,
      product: request.product,
      subject: progress.subject,
      state,
      receipt: JSON.stringify(progress),
      updatedAt: this.deps.clock(),
    });
  }

  private async step(step: ErasureStep): Promise<void> {
    if (this.stepHook) await this.stepHook(step);
  }

  private receiptOf(request: ErasureRequest, progress: ErasureProgress, repeated: boolean): ErasureReceipt {
    const whole = isWholeProduct(request);
    const kept: string[] = [];
    if (!whole) {
      kept.push(
        "the user's key: their events in other envs and tags still use it, so their events in this scope stay in the event log, " +
          'readable with it: a replay or redrive of the read model rebuilds these rows; erase the whole product to make it final',
        "the user's sessions, events and rows outside this scope",
      );
    }
    return {
      product: request.product,
      identifier: request.identifier,
      erasedAt: new Date(progress.erasedAt ?? this.deps.clock()).toISOString(),
      scope: { envs: request.envs, tags: request.tags, wholeProduct: whole },
      sessionsRevoked: progress.sessionsRevoked ?? 0,
      sessionsErased: progress.sessionsErased ?? 0,
      keyDestroyed: whole && progress.subject !== null && progress.keyDestroyedAt !== undefined,
      readModelRowsDeleted: progress.readModelRowsDeleted ?? {},
      eventId: progress.eventId,
      kept,
      repeated,
    };
  }
}

/** Counts of a retry over the first attempt's: a table's count is the larger (a crash mid-delete leaves fewer rows to count). */
function mergeCounts(previous: RowCounts | undefined, counts: RowCounts): RowCounts {
  const merged: RowCounts = { ...counts };
  for (const [table, n] of Object.entries(previous ?? {})) merged[table] = Math.max(n, merged[table] ?? 0);
  return merged;
}
