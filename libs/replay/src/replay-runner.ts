import { ClickHouseClient } from '@clickhouse/client';
import { LoggerService } from '@nestjs/common';
import { EventLogReader, LoggedRecord, ReadableEventLog } from '@waymark/event-log';
import { PersonalDataCodec } from '@waymark/privacy';
import { EventsProjection, PreparedBatch } from '@waymark/projection';
import { ReplayConflictError, ReplayPhase, ReplayProgress, ReplayRun, finishedAtOf, progressOf } from './replay-engine';
import { ReplayJournal, ReplayRecord } from './replay-journal';
import { ReplayPlan, ReplayRequest } from './replay-plan';
import { insertReplayedBatch } from './replayed-batch';
import {
  SHADOW_EVENTS_TABLE,
  copyOutOfScope,
  createShadowTable,
  isLiveFromRun,
  markShadows,
  populateDerivedShadows,
  refillUnswappedDerived,
  shadowTableExists,
  swapShadowIn,
} from './shadow-tables';

/** The live projector, as a replay needs it for the hand-over. */
export interface LiveProjection {
  pause(): Promise<void>;
  resume(): void;
  /** The last log position the live projector has committed into the read model. */
  committedPosition(): Promise<string>;
}

export interface ReplayRunnerOptions {
  /**
   * Events per slice of work on this thread (rows built between turns of the event
   * loop). Each INSERT takes `INSERT_SLICES` slices: a replay is a backlog from start
   * to end, and on chDB fewer, larger INSERTs cost less CPU per event (fewer parts to
   * write and merge: 29–32 against 33–36 µs per event for INSERTs of
   * 40,000 against 10,000, issue 18).
   */
  batchSize: number;
  newId: () => string;
  now: () => number;
  /** Called with the run's state after every save (every batch, every phase). */
  onProgress?: (run: ReplayRun) => void;
  /**
   * Decodes the stored events; an erased user's events are skipped (counted in
   * `skipped`), so a replay never brings them back. Absent: records replayed as stored.
   */
  codec?: PersonalDataCodec;
}

/** Slices of `batchSize` events per INSERT (see `ReplayRunnerOptions.batchSize`). */
const INSERT_SLICES = 4;

/** The run's record as last saved, and how to change and save it. */
interface RunState {
  record: ReplayRecord;
  save: (changes: Partial<ReplayRecord>) => void;
}

interface ActiveRun {
  cancelled: boolean;
  /** The live projector is paused by this run (and resumed when it ends). */
  paused: boolean;
  phase: ReplayPhase;
  startedAt: number;
  processedAtStart: number;
  done: Promise<void>;
}

/**
 * Rebuilds the read model from the event log into a shadow table and swaps it in.
 *
 * Hand-over with a live projector (embedded service): once the replay has caught up
 * with the log, the live projector is paused between batches; the replay drains the
 * log at least up to the live checkpoint, swaps the tables, and resumes the live
 * projector, which goes on from its checkpoint into the new table. Nothing between is
 * lost; events both replayed and projected live are the same events, which the table
 * and the readers deduplicate.
 */
export class ReplayRunner {
  private readonly active = new Map<string, ActiveRun>();

  constructor(
    private readonly eventLog: ReadableEventLog,
    private readonly clickhouse: ClickHouseClient,
    private readonly journal: ReplayJournal,
    private readonly logger: LoggerService,
    private readonly options: ReplayRunnerOptions,
    private readonly live?: LiveProjection,
  ) {}

  async plan(request: ReplayRequest): Promise<ReplayPlan> {
    const reader = this.eventLog.openReader({ product: request.product, tag: request.tag });
    const fromPosition = await reader.resolveStart(request.start);
    const headPosition = await reader.head();
    const events = fromPosition === undefined ? 0 : await reader.count(fromPosition, headPosition);
    const partial = request.start.kind !== 'beginning' || request.product !== undefined || request.tag !== undefined;
    return { request, fromPosition, headPosition, events, partial };
  }

  /** Plans and starts a replay in the background; follow it with `progress(id)`. */
  async start(request: ReplayRequest): Promise<ReplayRecord> {
    this.refuseIfUnfinished();
    const plan = await this.plan(request);
    const now = this.options.now();
    const record: ReplayRecord = {
      id: this.options.newId(),
      createdAt: now,
      updatedAt: now,
      status: 'running',
      request,
      plan,
      copied: false,
      swapStarted: false,
      reached: undefined,
      processed: 0,
      skipped: 0,
      refused: 0,
      error: undefined,
    };
    this.journal.save(record);
    this.launch(record);
    return record;
  }

  /** Continues an interrupted replay from the last position it wrote, or finishes its swap. */
  async resume(id: string): Promise<ReplayRecord> {
    const record = this.journal.find(id);
    if (!record) throw new Error(`no replay ${id}`);
    if (this.active.has(id)) return record;
    if (record.status !== 'interrupted' && record.status !== 'running') throw new Error(`replay ${id} is ${record.status}; it cannot be resumed`);
    // Once the swap began the shadow table may be gone (every pair exchanged and dropped): `swapShadowIn` judges per pair.
    if (record.copied && !record.swapStarted && !(await shadowTableExists(this.clickhouse)))
      throw new Error(`the shadow table ${SHADOW_EVENTS_TABLE} is gone; start a new replay`);
    const resumed = { ...record, status: 'running' as const, updatedAt: this.options.now() };
    this.journal.save(resumed);
    this.launch(resumed);
    return resumed;
  }

  /** Stops after the batch in hand; the replay can be resumed later. */
  cancel(id: string): boolean {
    const run = this.active.get(id);
    if (!run) return false;
    run.cancelled = true;
    return true;
  }

  /** Resolves when the run in this process ends (completed, interrupted or failed). */
  async wait(id: string): Promise<ReplayRecord | undefined> {
    await this.active.get(id)?.done;
    return this.journal.find(id);
  }

  progress(id: string): ReplayProgress | undefined {
    const run = this.run(id);
    return run && progressOf(run, this.options.now());
  }

  /** The run's state as the replay port reports it. */
  run(id: string): ReplayRun | undefined {
    const record = this.journal.find(id);
    return record && this.runOf(record);
  }

  /** The latest runs, newest first. */
  list(limit: number): ReplayRun[] {
    return this.journal.list(limit).map((record) => this.runOf(record));
  }

  /** Cancels every run in this process and waits for them to stop. */
  async stopAll(): Promise<void> {
    const runs = [...this.active.values()];
    for (const run of runs) run.cancelled = true;
    await Promise.all(runs.map((run) => run.done));
  }

  private runOf(record: ReplayRecord): ReplayRun {
    const run = this.active.get(record.id);
    return {
      id: record.id,
      status: record.status,
      phase: run?.phase ?? (record.status === 'completed' ? 'done' : 'replaying'),
      request: record.request,
      processed: record.processed,
      total: record.plan.events,
      replayed: record.processed - record.skipped,
      skipped: record.skipped,
      refused: record.refused,
      reached: record.reached,
      error: record.error,
      startedAt: record.createdAt,
      updatedAt: record.updatedAt,
      finishedAt: finishedAtOf(record.status, record.updatedAt),
      attempt: run && { startedAt: run.startedAt, processedAtStart: run.processedAtStart },
    };
  }

  /** A run left `running` by a process that died is, in truth, interrupted. */
  markStaleRunsInterrupted(): void {
    const unfinished = this.journal.unfinished();
    if (unfinished && unfinished.status === 'running' && !this.active.has(unfinished.id)) {
      this.journal.save({ ...unfinished, status: 'interrupted', updatedAt: this.options.now() });
    }
  }

  private refuseIfUnfinished(): void {
    this.markStaleRunsInterrupted();
    const unfinished = this.journal.unfinished();
    if (unfinished) throw new ReplayConflictError(unfinished);
  }

  private launch(record: ReplayRecord): void {
    const run: ActiveRun = {
      cancelled: false,
      paused: false,
      phase: 'copying',
      startedAt: this.options.now(),
      processedAtStart: record.processed,
      done: Promise.resolve(),
    };
    run.done = this.execute(record, run).finally(() => this.active.delete(record.id));
    this.active.set(record.id, run);
  }

  private async execute(initial: ReplayRecord, run: ActiveRun): Promise<void> {
    const state: RunState = {
      record: initial,
      save: (changes) => {
        state.record = { ...state.record, ...changes, updatedAt: this.options.now() };
        this.journal.save(state.record);
        this.options.onProgress?.(this.runOf(state.record));
      },
    };
    try {
      // A swap cut short may have put this run's events live already; then the shadow
      // events hold the old data, and only the rest of the swap is left to do.
      const finishing = state.record.swapStarted && (await isLiveFromRun(this.clickhouse, state.record.id));
      const ready = finishing ? await this.prepareFinish(state, run) : await this.prepareSwap(state, run);
      if (!ready) {
        state.save({ status: 'interrupted' });
        return;
      }
      await swapShadowIn(this.clickhouse, state.record.id);
      run.phase = 'done';
      state.save({ status: 'completed', error: undefined });
      this.logger.log(
        { id: state.record.id, processed: state.record.processed, skipped: state.record.skipped, refused: state.record.refused },
        'replay completed; shadow table swapped in',
      );
    } catch (error) {
      // Once the swap began the live tables may be part new, part old: the run stays
      // unfinished, so no other replay takes its shadow tables, and `resume` finishes it.
      state.save({ status: state.record.swapStarted ? 'interrupted' : 'failed', error: (error as Error).message });
      this.logger.error({ err: error, id: state.record.id }, state.record.swapStarted ? 'replay failed during the swap; resume it to finish' : 'replay failed');
    } finally {
      if (run.paused) this.live?.resume();
    }
  }

  /** Pauses the live projector between its batches, so that nothing is written during the swap. */
  private async pauseLive(run: ActiveRun): Promise<void> {
    if (!this.live || run.paused) return;
    await this.live.pause();
    run.paused = true;
  }

  /**
   * Resume of a cut-short swap: the derived shadows not exchanged yet are refilled from
   * the live events (new since the swap began) with the live projector paused.
   */
  private async prepareFinish(state: RunState, run: ActiveRun): Promise<boolean> {
    run.phase = 'handing-over';
    await this.pauseLive(run);
    await refillUnswappedDerived(this.clickhouse, state.record.id);
    return true;
  }

  /**
   * Fills the shadow tables, hands over from the live projector (left paused) and marks
   * the shadows as this run's; false when interrupted first. The journal says the swap
   * began only once every shadow carries the mark.
   */
  private async prepareSwap(state: RunState, run: ActiveRun): Promise<boolean> {
    const { save } = state;
    if (!state.record.copied) {
      await createShadowTable(this.clickhouse);
      if (state.record.plan.partial && state.record.plan.fromPosition !== undefined) {
        await copyOutOfScope(this.clickhouse, state.record.request, state.record.plan.fromPosition);
      }
      save({ copied: true });
    }
    run.phase = 'replaying';
    const reader = this.eventLog.openReader({ product: state.record.request.product, tag: state.record.request.tag });
    const drain = (until?: string) => this.drain(state, run, reader, until);
    if (!(await drain())) return false;
    run.phase = 'handing-over';
    if (this.live) {
      await this.pauseLive(run);
      const committed = await this.live.committedPosition();
      const reached = state.record.reached;
      const reachedCommitted = reached !== undefined && reader.compare(reached, committed) >= 0;
      if (!reachedCommitted && !(await drain(committed))) return false;
    }
    await populateDerivedShadows(this.clickhouse);
    await markShadows(this.clickhouse, state.record.id);
    save({ swapStarted: true });
    return true;
  }

  /**
   * Replays batches into the shadow table until the log has nothing more, or until
   * `until` is reached; false when cancelled first. Pipelined: batch n+1 is read and
   * checked while ClickHouse inserts batch n (a replay keeps no consumer checkpoint, so
   * reading ahead is free). `reached` is saved only once a batch's insert is done, so a
   * resume never skips a batch. Events ClickHouse refuses are left out and the rest of
   * their batch replayed (replayed-batch.ts), counted as skipped and logged each.
   */
  private async drain(state: RunState, run: ActiveRun, reader: EventLogReader, until?: string): Promise<boolean> {
    const { save } = state;
    const projection = new EventsProjection(this.clickhouse, SHADOW_EVENTS_TABLE, this.options.codec);
    const { reached, plan } = state.record;
    let cursor = reached !== undefined ? { after: reached } : plan.fromPosition !== undefined ? { from: plan.fromPosition } : { after: await reader.head() };
    let inserting: Promise<void> | undefined;
    try {
      for (;;) {
        if (run.cancelled) break;
        const records = await reader.read(cursor, this.options.batchSize * INSERT_SLICES);
        if (records.length === 0) {
          await inserting;
          return true;
        }
        const first = records[0].position;
        const last = records[records.length - 1].position;
        cursor = { after: last };
        const prepared = await prepareInSlices(projection, records, this.options.batchSize);
        await inserting;
        inserting = insertReplayedBatch(projection, records, prepared, `replay:${state.record.id}:${first}-${last}`).then((refused) => {
          for (const letter of refused)
            this.logger.warn(
              { id: state.record.id, position: letter.record.position, reason: letter.reason },
              'replay: event refused by ClickHouse; the rest of its batch replayed without it',
            );
          save({
            reached: last,
            processed: state.record.processed + records.length,
            // Erased users' events are left out like unreadable ones: `replayed` stays what was written.
            skipped: state.record.skipped + prepared.deadLetters.length + (prepared.erased ?? 0) + refused.length,
            refused: state.record.refused + refused.length,
          });
        });
        if (until !== undefined && reader.compare(last, until) >= 0) {
          await inserting;
          return true;
        }
      }
      await inserting;
      return false;
    } catch (error) {
      await inserting?.catch(() => undefined);
      throw error;
    }
  }
}

/**
 * `projection.prepareLoaded(records)` (keys loaded, rows built), `size` records at a
 * time with a turn of the event loop between: in embedded mode the replay shares the
 * API's thread. A key store that cannot answer fails the run (resumable), never skips.
 */
async function prepareInSlices(projection: EventsProjection, records: readonly LoggedRecord[], size: number): Promise<PreparedBatch> {
  if (records.length <= size) return projection.prepareLoaded(records);
  const prepared: PreparedBatch = { rows: [], deadLetters: [], erased: 0 };
  for (let from = 0; from < records.length; from += size) {
    const slice = await projection.prepareLoaded(records.slice(from, from + size));
    prepared.rows.push(...slice.rows);
    prepared.deadLetters.push(...slice.deadLetters);
    prepared.erased = (prepared.erased ?? 0) + (slice.erased ?? 0);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return prepared;
}
