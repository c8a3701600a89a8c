import { ClickHouseClient } from '@clickhouse/client';
import { LoggerService } from '@nestjs/common';
import { KafkaEventLog, ScanStart, ScannedRecord } from '@waymark/event-log';
import { PersonalDataCodec } from '@waymark/privacy';
import { EventsProjection } from '@waymark/projection';
import { KafkaReplayJournal, KafkaReplayRecord } from './kafka-replay-journal';
import { KafkaReplayScope, fromPartitionOffsets, kafkaReplayScope, toPartitionOffsets } from './kafka-replay-scope';
import { ReplayPlan, ReplayRequest, describeStart } from './replay-plan';
import { ReplayConflictError, ReplayProgress, ReplayRun, finishedAtOf, progressOf } from './replay-engine';
import { insertReplayedBatch } from './replayed-batch';
import {
  LIVE_EVENTS_TABLE,
  SHADOW_EVENTS_TABLE,
  copyLiveRowsOutside,
  createShadowTable,
  markShadows,
  populateDerivedShadows,
  shadowTableExists,
  swapShadowIn,
} from './shadow-tables';

export interface KafkaReplayProgress {
  id: string;
  phase: 'replaying' | 'swapping' | 'catching-up' | 'done';
  status: KafkaReplayRecord['status'];
  /** Records scanned so far (every phase and run), against those planned. */
  processed: number;
  planned: number;
  /** Of the scanned records: those written, and those no projection could read. */
  replayed: number;
  skipped: number;
  /** Of `skipped`, the events ClickHouse refused (each logged with its reason; the live projectors dead-letter them). */
  refused: number;
}

export interface KafkaReplayOptions {
  batchSize: number;
  newId: () => string;
  now: () => number;
  /** The live projectors' consumer group: a partial replay catches up from its committed offsets. */
  projectorGroup: string;
  /** Called at every batch and phase, with the run's record as saved or about to be. */
  onProgress?: (progress: KafkaReplayProgress, record: KafkaReplayRecord) => void;
  /**
   * Interrupts the run while it fills the shadow tables (the live ones stay untouched;
   * `resume` continues it). Once the swap began it is not heeded: the catch-up after the
   * swap is what makes the new tables whole (a catch-up cut short by a crash is resumed
   * the same way). A cancel asked through the journal (`cancel`, from any process) has
   * the same effect.
   */
  signal?: AbortSignal;
  /**
   * Decodes the stored events; an erased user's events are skipped (counted in
   * `skipped`), so a replay never brings them back. Absent: records replayed as stored.
   */
  codec?: PersonalDataCodec;
}

/** A run saves after every batch; one `running` but silent for this long has lost its process. */
export const KAFKA_REPLAY_STALE_MS = 60_000;

/** A run started in the background: its first saved state, and its end. */
export interface LaunchedKafkaReplay {
  record: KafkaReplayRecord;
  finished: Promise<KafkaReplayRecord>;
}

/**
 * Rebuilds the read model from the Kafka event topic while the projectors (other
 * processes) keep running, with no pause and no gap:
 *
 * 1. Scan the topic from the scope's starts up to the high watermarks *H* read when the
 *    scan began, writing the records in scope into the shadow tables (queries keep
 *    seeing the live ones). The journal (`replay_runs`) keeps each partition's next
 *    offset after every batch, so an interrupted run resumes where it stopped.
 * 2. A partial replay (a product, a tag, a start other than the beginning) then copies
 *    the live rows outside its scope into the shadow table. It first reads the live
 *    projectors' committed offsets *C*: every event below *C* is in the live table, so
 *    the copy holds it; events from *C* on are left to step 3.
 * 3. Fill the derived shadow tables, mark every shadow as this run's, swap every table
 *    in (`EXCHANGE TABLES`). The journal's `swapping` phase holds the catch-up's start; a
 *    swap cut short is finished on resume (the pairs already exchanged carry the mark).
 * 4. Catch up: project every record from min(*C*, *H*) (a whole replay: *H*) to the high
 *    watermarks *H2* read after the swap into the live (new) tables. Whatever a projector
 *    wrote into the old tables lies below *H2*; events from *H2* on are the projectors'.
 *    An event both replayed (or copied) and caught up, or caught up and projected, is one
 *    event id, which the events table and every reader count once, and the derived
 *    tables are min/max or replacing by design.
 *
 * Dedup tokens name the run, its attempt (first run or resume) and the batch, so a
 * retried insert is dropped but no other batch ever shares a token.
 */
export class KafkaReplay {
  constructor(
    private readonly log: KafkaEventLog,
    private readonly clickhouse: ClickHouseClient,
    private readonly journal: KafkaReplayJournal,
    private readonly logger: LoggerService,
    private readonly options: KafkaReplayOptions,
  ) {}

  /**
   * What a replay would read (a dry run): the scan's start and end on every partition
   * (as `<partition>:<offset>` lists) and the records between, in the shape of the
   * embedded plan.
   */
  async plan(request: ReplayRequest): Promise<ReplayPlan & { description: string }> {
    const scope = kafkaReplayScope(request);
    const { planned, starts, ends } = await this.log.planScan('events', scanStart(scope.scanStarts));
    const positions = (offsets: ReadonlyMap<number, string>) =>
      [...offsets]
        .sort(([a], [b]) => a - b)
        .map(([partition, offset]) => `${partition}:${offset}`)
        .join(',');
    const what = request.product ? `the events of product ${request.product}${request.tag ? `, tag ${request.tag}` : ''}` : 'every event';
    const from = request.start.kind === 'position' ? `partition offsets ${request.start.position}` : describeStart(request.start).replace('log', 'topic');
    return {
      request,
      fromPosition: planned > 0 ? positions(starts) : undefined,
      headPosition: positions(ends),
      events: planned,
      partial: scope.partial,
      description:
        `replay from the Kafka topic ${this.log.options.topic}: ${what} from ${from}; scans ${planned.toLocaleString('en-US')} records now in the topic, ` +
        `then what arrives until the swap${scope.partial ? '; live rows outside that scope are copied over unchanged' : ''}`,
    };
  }

  /** Starts a replay and runs it to its end (or its interruption). Refused while another is unfinished. */
  async start(request: ReplayRequest): Promise<KafkaReplayRecord> {
    return (await this.launch(request)).finished;
  }

  /** Continues an interrupted or failed replay from the offsets it last wrote, to its end. */
  async resume(id: string): Promise<KafkaReplayRecord> {
    return (await this.launchResume(id)).finished;
  }

  /** Starts a replay in the background once its first state is saved. */
  async launch(request: ReplayRequest): Promise<LaunchedKafkaReplay> {
    const scope = kafkaReplayScope(request);
    const unfinished = await this.journal.unfinished();
    if (unfinished) throw new ReplayConflictError({ id: unfinished.id, status: this.isStale(unfinished) ? 'interrupted' : unfinished.status });
    const now = this.options.now();
    const record: KafkaReplayRecord = {
      id: this.options.newId(),
      createdAt: now,
      updatedAt: now,
      status: 'running',
      request,
      phase: 'replaying',
      attempt: 0,
      next: toPartitionOffsets(scope.scanStarts),
      processed: 0,
      replayed: 0,
      skipped: 0,
      refused: 0,
      planned: 0,
      runStartedAt: now,
      processedAtRunStart: 0,
      error: undefined,
    };
    await createShadowTable(this.clickhouse);
    return this.launchRun(record, scope);
  }

  /** Resumes a replay in the background once its first state is saved. */
  async launchResume(id: string): Promise<LaunchedKafkaReplay> {
    const record = await this.journal.find(id);
    if (!record) throw new Error(`no replay ${id}`);
    if (record.status === 'completed') throw new Error(`replay ${id} is completed; it cannot be resumed`);
    if (record.status === 'running' && !this.isStale(record))
      throw new Error(`replay ${id} is running (last saved ${Math.round((this.options.now() - record.updatedAt) / 1000)} s ago)`);
    if (record.phase === 'replaying' && !(await shadowTableExists(this.clickhouse)))
      throw new Error(`the shadow table ${SHADOW_EVENTS_TABLE} is gone; start a new replay`);
    await this.journal.requestCancel(id, false);
    return this.launchRun(record, kafkaReplayScope(record.request));
  }

  /** Asks the run to stop after its batch in hand, wherever it runs. */
  async cancel(id: string): Promise<boolean> {
    const record = await this.journal.find(id);
    if (!record || record.status !== 'running' || record.phase !== 'replaying') return false;
    await this.journal.requestCancel(id);
    return true;
  }

  /** A saved state, with a `running` whose process went silent shown as interrupted. */
  async find(id: string): Promise<KafkaReplayRecord | undefined> {
    const record = await this.journal.find(id);
    return record && this.isStale(record) ? { ...record, status: 'interrupted' } : record;
  }

  /** The latest runs, newest first, a silent `running` shown as interrupted. */
  async list(limit: number): Promise<KafkaReplayRecord[]> {
    return (await this.journal.list(limit)).map((record) => (this.isStale(record) ? { ...record, status: 'interrupted' as const } : record));
  }

  private isStale(record: KafkaReplayRecord): boolean {
    return record.status === 'running' && this.options.now() - record.updatedAt > KAFKA_REPLAY_STALE_MS;
  }

  private async launchRun(initial: KafkaReplayRecord, scope: KafkaReplayScope): Promise<LaunchedKafkaReplay> {
    const now = this.options.now();
    const record: KafkaReplayRecord = {
      ...initial,
      status: 'running',
      attempt: initial.attempt + 1,
      error: undefined,
      updatedAt: now,
      runStartedAt: now,
      processedAtRunStart: initial.processed,
    };
    await this.journal.save(record);
    return { record, finished: this.execute(record, scope) };
  }

  private async execute(initial: KafkaReplayRecord, scope: KafkaReplayScope): Promise<KafkaReplayRecord> {
    let record = initial;
    // Stops the scan on the caller's signal, or on a cancel asked through the journal.
    const stop = new AbortController();
    const stopOnCallerSignal = () => stop.abort();
    this.options.signal?.addEventListener('abort', stopOnCallerSignal, { once: true });
    if (this.options.signal?.aborted) stop.abort();
    const remember = (changes: Partial<KafkaReplayRecord>) => {
      record = { ...record, ...changes, updatedAt: this.options.now() };
    };
    const save = async (changes: Partial<KafkaReplayRecord>) => {
      remember(changes);
      await this.journal.save(record);
    };
    const report = (phase: KafkaReplayProgress['phase']) =>
      this.options.onProgress?.(
        {
          id: record.id,
          phase,
          status: record.status,
          processed: record.processed,
          planned: record.planned,
          replayed: record.replayed,
          skipped: record.skipped,
          refused: record.refused ?? 0,
        },
        { ...record, phase },
      );
    const run: RunContext = { current: () => record, remember, save, report, stop };
    try {
      if (record.phase === 'replaying') {
        report('replaying');
        const ends = await this.scanInto(run, SHADOW_EVENTS_TABLE, scope, 'replaying', stop.signal);
        if (stop.signal.aborted) {
          await save({ status: 'interrupted' });
          report('replaying');
          return record;
        }
        report('swapping');
        let catchUpFrom = ends;
        if (scope.sql) {
          const lag = await this.log.describeLag(this.options.projectorGroup);
          const committed = new Map(lag.partitions.map((entry) => [Number(entry.partition), BigInt(entry.committed)]));
          catchUpFrom = new Map([...ends].map(([partition, end]) => [partition, String(minOf(BigInt(end), committed.get(partition) ?? 0n))]));
          await copyLiveRowsOutside(this.clickhouse, scope.sql.where, scope.sql.params);
        }
        await populateDerivedShadows(this.clickhouse);
        await markShadows(this.clickhouse, record.id);
        // From here the run is only ever finished: `next` holds the catch-up's start, which
        // a resume of the swap needs (the scan's ends and *C* cannot be read again).
        await save({ phase: 'swapping', next: toPartitionOffsets(catchUpFrom) });
      }
      if (record.phase === 'swapping') {
        report('swapping');
        // Skips the pairs a cut-short attempt already exchanged; the catch-up then puts
        // into the new tables whatever the projectors wrote into the old ones meanwhile.
        await swapShadowIn(this.clickhouse, record.id);
        await save({ phase: 'catching-up' });
        this.logger.log({ id: record.id, replayed: record.replayed }, 'replay: shadow tables swapped in; catching up');
      }
      report('catching-up');
      await this.scanInto(run, LIVE_EVENTS_TABLE, undefined, 'catching-up', undefined);
      await save({ phase: 'done', status: 'completed' });
      report('done');
      this.logger.log(
        { id: record.id, processed: record.processed, replayed: record.replayed, skipped: record.skipped, refused: record.refused ?? 0 },
        'replay from Kafka completed',
      );
      return record;
    } catch (error) {
      await save({ status: 'failed', error: (error as Error).message }).catch(() => undefined);
      this.logger.error({ err: error, id: record.id }, 'replay from Kafka failed; it can be resumed');
      return record;
    } finally {
      // The API's signal lives as long as the process; each run takes its listener back.
      this.options.signal?.removeEventListener('abort', stopOnCallerSignal);
    }
  }

  /**
   * Scans from the record's `next` offsets to the high watermarks now, writing the rows
   * in `scope` (all when undefined) into `table` a batch at a time; after each batch the
   * journal holds the next offset of every partition. Returns the scan's end offsets.
   * Events ClickHouse refuses are left out and the rest of their batch written
   * (replayed-batch.ts), counted as skipped (and refused) and logged each.
   */
  private async scanInto(
    run: RunContext,
    table: string,
    scope: KafkaReplayScope | undefined,
    phase: 'replaying' | 'catching-up',
    signal: AbortSignal | undefined,
  ): Promise<Map<number, string>> {
    const { current, remember, save, report } = run;
    const projection = new EventsProjection(this.clickhouse, table, this.options.codec);
    const { id, attempt } = current();
    let pending: ScannedRecord[] = [];
    let batches = 0;
    const flush = async () => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      const prepared = await projection.prepareLoaded(batch);
      const rows = scope ? prepared.rows.filter((row) => scope.covers(row)) : prepared.rows;
      batches += 1;
      const refused = await insertReplayedBatch(
        projection,
        batch,
        { rows, deadLetters: prepared.deadLetters },
        `kafka-replay:${id}:${attempt}:${phase}:${batches}`,
        scope?.covers,
      );
      for (const letter of refused)
        this.logger.warn(
          { id, phase, position: letter.record.position, reason: letter.reason },
          'replay: event refused by ClickHouse; the rest of its batch replayed without it',
        );
      const next = fromPartitionOffsets(current().next);
      for (const scanned of batch) {
        const after = BigInt(scanned.offset) + 1n;
        if (after > BigInt(next.get(scanned.partition) ?? '0')) next.set(scanned.partition, after.toString());
      }
      const record = current();
      await save({
        next: toPartitionOffsets(next),
        processed: record.processed + batch.length,
        replayed: record.replayed + rows.length - refused.length,
        // Erased users' events are left out like unreadable ones.
        skipped: record.skipped + prepared.deadLetters.length + (prepared.erased ?? 0) + refused.length,
        refused: (record.refused ?? 0) + refused.length,
      });
      report(phase);
      if (signal && !signal.aborted && (await this.journal.cancelRequested(id))) run.stop.abort();
    };
    const summary = await this.log.scan('events', {
      start: scanStart(fromPartitionOffsets(current().next)),
      follow: false,
      signal,
      onPlan: ({ planned }) => {
        remember({ planned: current().processed + planned });
        report(phase);
      },
      onRecords: async (records) => {
        pending.push(...records);
        if (pending.length >= this.options.batchSize) await flush();
      },
    });
    if (!signal?.aborted) await flush();
    return new Map(summary.ends);
  }
}

/** The run in hand, as the scans see it: its record, how to change it and tell progress. */
interface RunContext {
  current: () => KafkaReplayRecord;
  /** Changes the record in memory; the next save persists it. */
  remember: (changes: Partial<KafkaReplayRecord>) => void;
  save: (changes: Partial<KafkaReplayRecord>) => Promise<void>;
  report: (phase: KafkaReplayProgress['phase']) => void;
  /** Aborts the scan of the shadow phase (the caller's signal, or a cancel through the journal). */
  stop: AbortController;
}

function scanStart(offsets: ReadonlyMap<number, string>): ScanStart {
  return offsets.size > 0 ? { kind: 'offsets', offsets } : { kind: 'beginning' };
}

const minOf = (a: bigint, b: bigint) => (a < b ? a : b);

/** A run's saved state as the replay port reports it. */
export function kafkaReplayRun(record: KafkaReplayRecord): ReplayRun {
  return {
    id: record.id,
    status: record.status,
    phase: record.phase,
    request: record.request,
    processed: record.processed,
    total: record.planned,
    replayed: record.replayed,
    skipped: record.skipped,
    refused: record.refused ?? 0,
    reached: Object.entries(record.next)
      .map(([partition, offset]) => `${partition}:${offset}`)
      .join(','),
    error: record.error,
    startedAt: record.createdAt,
    updatedAt: record.updatedAt,
    finishedAt: finishedAtOf(record.status, record.updatedAt),
    // The journal keeps the current attempt's start; only a running one has a rate.
    attempt: record.status === 'running' ? { startedAt: record.runStartedAt, processedAtStart: record.processedAtRunStart } : undefined,
  };
}

/** A run's saved state as the replay API and the CLI show progress. */
export function kafkaReplayProgress(record: KafkaReplayRecord, now: number): ReplayProgress & { replayed: number } {
  return { ...progressOf(kafkaReplayRun(record), now), replayed: record.replayed };
}
