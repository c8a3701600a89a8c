import { LoggerService } from '@nestjs/common';
import { EventBatch, EventLogConsumer } from '@waymark/event-log';
import { EventsProjection } from './events.projection';

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
  retryBaseMs: number;
  retryMaxMs: number;
}

/** Told of every batch and every failed attempt, for metrics. */
export interface ProjectorObserver {
  batchProjected(result: { projected: number; deadLettered: number }): void;
  attemptFailed(): void;
}

export interface ProjectorStats {
  batches: number;
  projected: number;
  deadLettered: number;
  failures: number;
}

/** What readiness needs to know of the projector: is it failing, and is it moving. */
export interface ProjectorHealth {
  /** Failed attempts (reads or inserts) since the last batch that was committed. */
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
 * with backoff on the same batch, so the stream pauses rather than skips.
 */
export class Projector {
  readonly stats: ProjectorStats = { batches: 0, projected: 0, deadLettered: 0, failures: 0 };
  private running: Promise<void> | undefined;
  private stopping = false;
  private wakeFromBackoff: (() => void) | undefined;
  private readonly observers: ProjectorObserver[] = [];
  private pauseRequest: { reached: () => void; released: Promise<void>; release: () => void } | undefined;
  private readonly healthState: ProjectorHealth = { consecutiveFailures: 0, lastProgressAt: Date.now() };

  constructor(
    private readonly consumer: EventLogConsumer,
    private readonly projection: EventsProjection,
    private readonly logger: LoggerService,
    private readonly options: ProjectorOptions,
  ) {}

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
    while (!this.stopping) {
      if (this.pauseRequest) {
        this.pauseRequest.reached();
        await this.pauseRequest.released;
        continue;
      }
      const readAt = Date.now();
      const batch = await this.nextBatchWithRetry();
      if (!batch || batch.records.length === 0) continue;
      await this.processWithRetry(batch);
      const caughtUp = batch.caughtUp ?? batch.records.length < this.options.maxBatch;
      const linger = (this.options.lingerMs ?? 0) - (Date.now() - readAt);
      if (caughtUp && linger > 0 && !this.stopping) await this.backoff(linger);
    }
  }

  /**
   * The consumer's next batch; when reading fails (the log unreachable, a consumer that
   * has to rejoin), waits with backoff and tries again instead of ending the loop.
   * Undefined when stopping interrupted the wait.
   */
  private async nextBatchWithRetry(): Promise<EventBatch | undefined> {
    for (let attempt = 0; !this.stopping; attempt += 1) {
      try {
        return await this.consumer.nextBatch(this.options.maxBatch, this.options.maxWaitMs);
      } catch (error) {
        if (this.stopping) return undefined;
        this.recordFailure(error);
        const delay = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** Math.min(attempt, 10));
        this.logger.warn({ err: error, attempt: attempt + 1, retryInMs: delay }, 'reading the next batch failed; retrying');
        await this.backoff(delay);
      }
    }
    return undefined;
  }

  private async processWithRetry(batch: EventBatch): Promise<void> {
    const first = batch.records[0].position;
    const last = batch.records[batch.records.length - 1].position;
    // The consumer's key, never first-last here: a Kafka batch spans partitions, and two
    // groupings can share first and last positions while holding different records;
    // ClickHouse would drop the second insert as a retry of the first (events lost).
    const dedupToken = dedupTokenOf(this.options.group, batch);
    for (let attempt = 0; !this.stopping || attempt === 0; attempt += 1) {
      try {
        const result = await this.projection.project(batch.records, dedupToken);
        await this.consumer.deadLetter(result.deadLetters);
        await batch.commit();
        this.stats.batches += 1;
        this.stats.projected += result.projected;
        this.stats.deadLettered += result.deadLetters.length;
        this.healthState.consecutiveFailures = 0;
        this.healthState.lastError = undefined;
        this.healthState.lastProgressAt = Date.now();
        for (const observer of this.observers) observer.batchProjected({ projected: result.projected, deadLettered: result.deadLetters.length });
        for (const letter of result.deadLetters) {
          this.logger.warn({ position: letter.record.position, reason: letter.reason }, 'event dead-lettered');
        }
        return;
      } catch (error) {
        this.recordFailure(error);
        const delay = Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** Math.min(attempt, 10));
        this.logger.warn({ err: error, attempt: attempt + 1, retryInMs: delay, from: first, to: last }, 'projection failed; retrying');
        await this.backoff(delay);
      }
    }
  }

  private recordFailure(error: unknown): void {
    this.stats.failures += 1;
    this.healthState.consecutiveFailures += 1;
    this.healthState.lastError = error instanceof Error ? error.message : String(error);
    for (const observer of this.observers) observer.attemptFailed();
  }

  private backoff(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeFromBackoff = undefined;
        resolve();
      }
      this.wakeFromBackoff = done;
    });
  }
}
