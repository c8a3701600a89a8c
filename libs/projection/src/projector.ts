import { LoggerService } from '@nestjs/common';
import { DeadLetter, EventBatch, EventLogConsumer, LoggedRecord } from '@waymark/event-log';
import { LOG_REPEAT_INTERVAL_MS, LogThrottle, ThrottledLogger } from '@waymark/logging';
import { EventsProjection, ProjectionResult } from './events.projection';
import { ValueRefusal, valueRefusalOf } from './insert-refusal';
import { isTooLargeForDeadLetters, truncatedDeadLetter } from './oversized-dead-letter';
import { PROBES_UNAVAILABLE, PieceOutcome, projectAroundRefusals } from './poison-bisection';

/** Thrown inside a batch's work when the projector stops mid-retry: the batch is left uncommitted. */
const ABANDONED = new Error('abandoned: the projector is stopping');

const DEFAULT_CATCH_UP_FACTOR = 4;

/** The insert deduplication token of a batch: the group, then the consumer's name for the batch. */
export function dedupTokenOf(group: string, batch: Pick<EventBatch, 'dedupKey'>): string {
  return `${group}:${batch.dedupKey}`;
}

export interface ProjectorOptions {
  group: string;
  maxBatch: number;
  maxWaitMs: number;
  /**
   * After a batch that caught up with the log (`EventBatch.caughtUp`; without it, one
   * smaller than `maxBatch`), wait until this long has passed since it was read before
   * reading the next, so that a steady stream of events is projected in fewer, larger
   * INSERTs. Each INSERT writes a part per table and runs every materialized view: on
   * chDB ~35 ms of CPU for 25 events against ~80 ms for 1,000
   * (bench/micro/insert-cost.micro.ts), so under a steady load the number of INSERTs per
   * second, more than the number of events, sets the projector's cost. It adds at most
   * this much to an event's time to visibility. While a backlog remains the projector
   * reads on at once. 0: read again at once.
   */
  lingerMs?: number;
  /**
   * While a backlog remains, read and INSERT up to this many times `maxBatch` events at
   * once (default 4): a batch that is not caught up is followed by a read of
   * `maxBatch × catchUpFactor`. Every INSERT writes a part per table and runs every
   * materialized view, and ClickHouse merges the parts afterwards: on chDB, draining a
   * backlog of 1 M events in INSERTs of 40,000 took 15% less CPU per event than in
   * INSERTs of 10,000 (32.7 against 38.5 µs, all threads; issue 18). The rows of such a
   * batch are built `maxBatch` at a time with a turn of the event loop between, so that
   * the API sharing the thread in embedded mode is not held for the whole batch (the
   * log's read of it still is: one query). 1: always `maxBatch`.
   */
  catchUpFactor?: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /**
   * How long a retry warning of one kind (its text and its error) stays quiet after it
   * was written; recurrences meanwhile are counted into one summary line. Default
   * LOG_REPEAT_INTERVAL_MS (60 s).
   */
  logRepeatIntervalMs?: number;
}

/** Told of every batch and every failed attempt, for metrics. */
export interface ProjectorObserver {
  /** `erased`: events of erased users the batch left out (neither projected nor dead-lettered). */
  batchProjected(result: { projected: number; deadLettered: number; erased: number }): void;
  attemptFailed(): void;
}

export interface ProjectorStats {
  batches: number;
  projected: number;
  /** Dead letters of every kind: envelopes refused by the check and events refused by ClickHouse. */
  deadLettered: number;
  /** Failed attempts that were retried (reads, inserts, dead letters, commits). */
  failures: number;
  /** Batches ClickHouse refused a value of, bisected around it. */
  bisected: number;
  /** Events ClickHouse refused on their own, dead-lettered. */
  refused: number;
  /** Events of erased users left out: their keys are destroyed, so they are never projected (docs/privacy.md). */
  erased: number;
}

/** What readiness needs to know of the projector: is it failing, and is it moving. */
export interface ProjectorHealth {
  /**
   * Failed attempts (reads, inserts, dead letters, commits) since the last batch that was
   * committed. An insert ClickHouse refused for a value is not one: the projector handles
   * it (bisects the batch) and moves on, so it says nothing about the projector's health.
   */
  consecutiveFailures: number;
  /** The message of the last failed attempt, while `consecutiveFailures` > 0. */
  lastError?: string;
  /** Unix ms of the last committed batch (or of the start, before the first one). */
  lastProgressAt: number;
}

/**
 * Moves events from the log into the read model: read a batch, insert it, then
 * commit the checkpoint. A crash between insert and commit re-reads the batch; the
 * dedup token and the readers' dedup make that harmless. A failed insert is retried
 * with backoff on the same batch, so the stream pauses rather than skips, unless
 * ClickHouse refused a value: then the batch is bisected and the events at fault are
 * dead-lettered (see `processWithRetry`).
 */
export class Projector {
  readonly stats: ProjectorStats = { batches: 0, projected: 0, deadLettered: 0, failures: 0, bisected: 0, refused: 0, erased: 0 };
  private running: Promise<void> | undefined;
  private stopping = false;
  private wakeFromBackoff: (() => void) | undefined;
  private readonly observers: ProjectorObserver[] = [];
  private pauseRequest: { reached: () => void; released: Promise<void>; release: () => void } | undefined;
  private readonly healthState: ProjectorHealth = { consecutiveFailures: 0, lastProgressAt: Date.now() };
  private readonly retryThrottle: LogThrottle;
  /**
   * Writes the retry warnings. While ClickHouse or the log is down the projector fails
   * every few seconds for as long as the outage lasts, each time with the same warning:
   * the first is written in full, the rest are counted into one line per interval
   * (`repeated: N`). Facts that differ each time (dead letters, bisected batches) go to
   * `logger` as they are.
   */
  private readonly retryLogger: ThrottledLogger;

  constructor(
    private readonly consumer: EventLogConsumer,
    private readonly projection: EventsProjection,
    private readonly logger: LoggerService,
    private readonly options: ProjectorOptions,
  ) {
    this.retryThrottle = new LogThrottle({ intervalMs: options.logRepeatIntervalMs ?? LOG_REPEAT_INTERVAL_MS });
    this.retryLogger = new ThrottledLogger(logger, this.retryThrottle, 'projector');
  }

  get isRunning(): boolean {
    return this.running !== undefined && !this.stopping;
  }

  get health(): ProjectorHealth {
    return { ...this.healthState };
  }

  observe(observer: ProjectorObserver): void {
    this.observers.push(observer);
  }

  start(): void {
    if (!this.running) this.healthState.lastProgressAt = Date.now();
    this.running ??= this.loop();
  }

  /** Lets the batch in hand finish (or abandons its retry), then closes the consumer. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeFromBackoff?.();
    this.resume();
    await this.consumer.close();
    await this.running;
    // The retries counted since the last summary, written now rather than lost.
    this.retryThrottle.flush();
  }

  /**
   * Stops between batches (the batch in hand is committed first) until `resume()`. A
   * replay uses it to hand the read model over: with the live projector paused, its
   * checkpoint does not move while the tables are swapped.
   */
  pause(): Promise<void> {
    if (this.pauseRequest) throw new Error('the projector is already paused');
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    return new Promise<void>((reached) => {
      this.pauseRequest = { reached, released, release };
      if (!this.running) reached();
    });
  }

  resume(): void {
    const request = this.pauseRequest;
    this.pauseRequest = undefined;
    request?.release();
  }

  private async loop(): Promise<void> {
    // Whether the last batch left a backlog behind it: the next read may then be larger.
    let behind = false;
    while (!this.stopping) {
      if (this.pauseRequest) {
        this.pauseRequest.reached();
        await this.pauseRequest.released;
        continue;
      }
      const readAt = Date.now();
      const asked: number = behind
        ? this.options.maxBatch * Math.max(1, Math.floor(this.options.catchUpFactor ?? DEFAULT_CATCH_UP_FACTOR))
        : this.options.maxBatch;
      const batch = await this.nextBatchWithRetry(asked);
      if (!batch || batch.records.length === 0) {
        behind = false;
        continue;
      }
      await this.processWithRetry(batch);
      const caughtUp: boolean = batch.caughtUp ?? batch.records.length < asked;
      behind = !caughtUp;
      const linger = (this.options.lingerMs ?? 0) - (Date.now() - readAt);
      if (caughtUp && linger > 0 && !this.stopping) await this.backoff(linger);
    }
  }

  /**
   * The consumer's next batch; when reading fails (the log unreachable, a consumer that
   * has to rejoin), waits with backoff and tries again instead of ending the loop.
   * Undefined when stopping interrupted the wait.
   */
  private async nextBatchWithRetry(maxRecords: number): Promise<EventBatch | undefined> {
    for (let attempt = 0; !this.stopping; attempt += 1) {
      try {
        return await this.consumer.nextBatch(maxRecords, this.options.maxWaitMs);
      } catch (error) {
        if (this.stopping) return undefined;
        this.recordFailure(error);
        const delay = this.retryDelay(attempt);
        this.retryLogger.warn({ err: error, attempt: attempt + 1, retryInMs: delay }, 'reading the next batch failed; retrying');
        await this.backoff(delay);
      }
    }
    return undefined;
  }

  /**
   * Projects a batch and commits it. A retryable failure is retried on the same batch
   * with backoff, so the stream pauses rather than skips. A value refusal (ClickHouse
   * will refuse these rows on every attempt, insert-refusal.ts) is not retried: the
   * batch is bisected around the events at fault (poison-bisection.ts), every other
   * event is projected, and each refused one is dead-lettered with ClickHouse's reason,
   * so one event holds up the stream for a few inserts rather than for ever.
   */
  private async processWithRetry(batch: EventBatch): Promise<void> {
    // The consumer's key, never first-last here: a Kafka batch spans partitions, and two
    // groupings can share first and last positions while holding different records;
    // ClickHouse would drop the second insert as a retry of the first (events lost).
    const dedupToken = dedupTokenOf(this.options.group, batch);
    const range = { from: batch.records[0].position, to: batch.records[batch.records.length - 1].position };
    let result: ProjectionResult;
    try {
      await this.prepareInSlices(batch.records);
      const whole = await this.insertPiece(batch.records, dedupToken, range);
      result = 'inserted' in whole ? whole.inserted : await this.isolatePoison(batch, dedupToken, whole.refused, range);
    } catch (error) {
      if (error === ABANDONED) return; // stopping: the batch stays uncommitted and is read again
      throw error;
    }
    if (!(await this.settle(batch, result, range))) return;
    this.stats.batches += 1;
    this.stats.projected += result.projected;
    this.stats.deadLettered += result.deadLetters.length;
    const erased = result.erased ?? 0;
    this.stats.erased += erased;
    this.healthState.consecutiveFailures = 0;
    this.healthState.lastError = undefined;
    this.healthState.lastProgressAt = Date.now();
    for (const observer of this.observers) observer.batchProjected({ projected: result.projected, deadLettered: result.deadLetters.length, erased });
    for (const letter of result.deadLetters) {
      this.logger.warn({ position: letter.record.position, reason: letter.reason }, 'event dead-lettered');
    }
    // Counted, not listed: the positions of an erased user's events are no one's business.
    if (erased > 0) this.logger.log?.({ ...range, erased }, 'events of erased users skipped');
  }

  /**
   * Builds the rows of a batch larger than `maxBatch` (a catch-up batch) `maxBatch` at a
   * time, yielding to the event loop between slices; the INSERT then finds them built.
   * Only a head start: when a slice fails (the user-key store not answering), the rest
   * is left to the INSERT, which loads what it needs itself and retries with backoff.
   */
  private async prepareInSlices(records: readonly LoggedRecord[]): Promise<void> {
    if (records.length <= this.options.maxBatch) return;
    try {
      for (let from = 0; from < records.length; from += this.options.maxBatch) {
        await this.projection.prepareAhead(records.slice(from, from + this.options.maxBatch));
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } catch {
      // The INSERT's own attempt meets the same failure, and reports and retries it.
    }
  }

  /**
   * One insert of `records`, retried with backoff while the failure is one retrying can
   * fix; a value refusal is returned, not retried. The first attempt always runs; once
   * stopping, a failed attempt abandons the batch (throws ABANDONED).
   */
  private insertPiece(records: readonly LoggedRecord[], dedupToken: string, range: { from: string; to: string }): Promise<PieceOutcome> {
    return this.untilFinal(() => this.projection.project(records, dedupToken), records.length, range);
  }

  /**
   * A probe (parse only, nothing written) of `records`: a value refusal is an answer; any
   * other failure is not retried, the isolation falls back to real INSERTs
   * (PROBES_UNAVAILABLE), which retry on their own.
   */
  private async probePiece(records: readonly LoggedRecord[], range: { from: string; to: string }): Promise<PieceOutcome> {
    try {
      return { inserted: await this.projection.probe(records) };
    } catch (error) {
      const refused = valueRefusalOf(error);
      if (refused) return { refused };
      this.recordFailure(error);
      this.retryLogger.warn({ err: error, ...range, events: records.length }, 'probing the batch failed; bisecting it with real inserts');
      throw PROBES_UNAVAILABLE;
    }
  }

  private async untilFinal(attempt: () => Promise<ProjectionResult>, events: number, range: { from: string; to: string }): Promise<PieceOutcome> {
    for (let attemptNo = 0; ; attemptNo += 1) {
      try {
        return { inserted: await attempt() };
      } catch (error) {
        const refused = valueRefusalOf(error);
        if (refused) return { refused };
        this.recordFailure(error);
        if (this.stopping) throw ABANDONED;
        const delay = this.retryDelay(attemptNo);
        this.retryLogger.warn({ err: error, attempt: attemptNo + 1, retryInMs: delay, ...range, events }, 'projection failed; retrying');
        await this.backoff(delay);
        if (this.stopping) throw ABANDONED;
      }
    }
  }

  private async isolatePoison(batch: EventBatch, dedupToken: string, refusal: ValueRefusal, range: { from: string; to: string }): Promise<ProjectionResult> {
    this.logger.warn(
      { ...range, events: batch.records.length, reason: refusal.reason },
      'ClickHouse refused a value in the batch; bisecting it to project the rest',
    );
    const unlessStopping =
      <A extends unknown[]>(step: (...args: A) => Promise<PieceOutcome>) =>
      (...args: A) => {
        if (this.stopping) throw ABANDONED;
        return step(...args);
      };
    const result = await projectAroundRefusals(
      batch.records,
      dedupToken,
      refusal,
      unlessStopping((records: readonly LoggedRecord[]) => this.probePiece(records, range)),
      unlessStopping((records: readonly LoggedRecord[], token: string) => this.insertPiece(records, token, range)),
    );
    this.stats.bisected += 1;
    this.stats.refused += result.refused;
    this.logger.log?.({ ...range, probes: result.probes, inserts: result.inserts, refused: result.refused, projected: result.projected }, 'batch bisected');
    return result;
  }

  /**
   * Writes the batch's dead letters, then commits it, retrying each step with backoff
   * (never the inserts again: they are done). False when stopping interrupted it: the
   * batch is then read again, inserted again (dropped by its dedup tokens) and its dead
   * letters may be written twice.
   */
  private async settle(batch: EventBatch, result: ProjectionResult, range: { from: string; to: string }): Promise<boolean> {
    // Letters leave this list once written, so a retry does not write them again.
    const unwritten = [...result.deadLetters];
    for (let attempt = 0; ; attempt += 1) {
      try {
        if (unwritten.length > 0) await this.writeDeadLetters(unwritten);
        await batch.commit();
        return true;
      } catch (error) {
        this.recordFailure(error);
        if (this.stopping) return false;
        const delay = this.retryDelay(attempt);
        this.retryLogger.warn(
          { err: error, attempt: attempt + 1, retryInMs: delay, ...range },
          unwritten.length === 0 ? 'commit failed; retrying' : 'writing dead letters failed; retrying',
        );
        await this.backoff(delay);
        if (this.stopping) return false;
      }
    }
  }

  /**
   * Writes `unwritten` and empties it; throws (leaving what is still unwritten) on a
   * failure retrying may fix. A dead letter the log refuses as too large (a Kafka topic's
   * `max.message.bytes`) would be refused on every retry and hold the projector for ever,
   * so when the log says "too large" the letters are written one at a time, and one
   * refused on its own is written truncated (oversized-dead-letter.ts: reason, position,
   * key and headers kept, with the original's size and hash). One refused even so is only
   * logged, with its position, reason, size and hash: the event stays in the log.
   */
  private async writeDeadLetters(unwritten: DeadLetter[]): Promise<void> {
    try {
      await this.consumer.deadLetter(unwritten);
      unwritten.length = 0;
      return;
    } catch (error) {
      if (!isTooLargeForDeadLetters(error)) throw error;
    }
    while (unwritten.length > 0) {
      await this.writeDeadLetterAlone(unwritten[0]);
      unwritten.shift();
    }
  }

  private async writeDeadLetterAlone(letter: DeadLetter): Promise<void> {
    try {
      await this.consumer.deadLetter([letter]);
      return;
    } catch (error) {
      if (!isTooLargeForDeadLetters(error)) throw error;
    }
    const { letter: truncated, payload } = truncatedDeadLetter(letter);
    const described = { position: letter.record.position, reason: letter.reason, originalBytes: payload.originalBytes, sha256: payload.sha256 };
    try {
      await this.consumer.deadLetter([truncated]);
      this.logger.warn(described, 'dead letter too large for the dead-letter log; written truncated');
    } catch (error) {
      if (!isTooLargeForDeadLetters(error)) throw error;
      this.logger.error(described, 'dead letter too large for the dead-letter log even truncated; not written, this line is its only record');
    }
  }

  private retryDelay(attempt: number): number {
    return Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** Math.min(attempt, 10));
  }

  private recordFailure(error: unknown): void {
    this.stats.failures += 1;
    this.healthState.consecutiveFailures += 1;
    this.healthState.lastError = error instanceof Error ? error.message : String(error);
    for (const observer of this.observers) observer.attemptFailed();
  }

  private backoff(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeFromBackoff = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeFromBackoff = done;
    });
  }
}
