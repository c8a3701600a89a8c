import { LoggerService } from '@nestjs/common';
import { SqliteConnection } from './sqlite-database';
import { WriteFailureState, isStorageFailure } from './write-failure-state';

type Work<T> = (db: SqliteConnection) => T;

/** One group commit: how many jobs it carried and how long the transaction took, fsync included. */
export interface CommitStats {
  jobs: number;
  ms: number;
}

interface Job {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit: every write requested during one turn of the event loop runs in a
 * single transaction, so concurrent commands share one fsync. Each job runs inside its
 * own savepoint, so a job that throws is rolled back alone and the others still
 * commit. Promises resolve only after COMMIT returned, i.e. once the data is durable.
 */
export class GroupCommitWriter {
  /** Set while commits fail (disk full, I/O error), cleared by the next good one; readiness reads it. */
  readonly failures = new WriteFailureState();
  private queue: Job[] = [];
  private scheduled = false;
  private readonly afterCommitListeners: Array<(stats: CommitStats) => void> = [];
  private closed = false;
  // better-sqlite3 builds four wrapper functions each time `db.transaction()` is called;
  // wrapping once here instead of per job took ~15 µs off every job. Called inside the
  // group's transaction, `runJob` opens a savepoint, exactly as a fresh wrapper did.
  private readonly runJob: (job: Job) => unknown;
  private readonly runGroup: (jobs: Job[], outcomes: Outcome[]) => void;

  /**
   * `logger` hears of failed commits (pass a ThrottledLogger: while the disk is full every
   * group fails the same way) and of the first good commit after them.
   */
  constructor(
    private readonly db: SqliteConnection,
    private readonly logger?: LoggerService,
  ) {
    this.runJob = db.transaction((job: Job) => job.work(db));
    this.runGroup = db.transaction((jobs: Job[], outcomes: Outcome[]) => {
      for (const job of jobs) {
        try {
          outcomes.push({ ok: true, value: this.runJob(job) });
        } catch (error) {
          // On some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM) SQLite rolls back the
          // whole transaction, not just the job's savepoint: every job of the group is lost,
          // and the job's error, not COMMIT's "no transaction is active", says why.
          if (!db.inTransaction) throw error;
          outcomes.push({ ok: false, error });
        }
      }
    });
  }

  run<T>(work: Work<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the embedded store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Called after each commit that wrote something; the projector wakes on it, metrics count it. */
  onCommit(listener: (stats: CommitStats) => void): void {
    this.afterCommitListeners.push(listener);
  }

  /** Commits what is queued, then refuses further writes. */
  close(): void {
    this.flush();
    this.closed = true;
  }

  private flush(): void {
    this.scheduled = false;
    const jobs = this.queue;
    if (jobs.length === 0) return;
    this.queue = [];
    const startedAt = performance.now();
    const outcomes: Outcome[] = [];
    try {
      this.runGroup(jobs, outcomes);
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of this group is durable.
      this.failures.recordFailure(error);
      this.logger?.error({ err: error, jobs: jobs.length }, 'event log write failed: nothing of this group commit is durable');
      for (const job of jobs) job.reject(error);
      return;
    }
    this.noteOutcomes(outcomes);
    jobs.forEach((job, index) => {
      const outcome = outcomes[index];
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
    const stats: CommitStats = { jobs: jobs.length, ms: performance.now() - startedAt };
    for (const listener of this.afterCommitListeners) listener(stats);
  }

  /**
   * A job can meet the storage failure itself (SQLITE_FULL while a page is allocated) and
   * roll back alone while the group commits; that counts as a failing store too. A group
   * whose jobs all failed on their own rules says nothing either way about the disk, but
   * a committed group with a good job clears the state.
   */
  private noteOutcomes(outcomes: Outcome[]): void {
    const storageError = outcomes.find((outcome) => !outcome.ok && isStorageFailure(outcome.error));
    if (storageError && !storageError.ok) {
      this.failures.recordFailure(storageError.error);
      this.logger?.error({ err: storageError.error }, 'event log write failed');
      return;
    }
    if (!outcomes.some((outcome) => outcome.ok)) return;
    const ended = this.failures.recordSuccess();
    if (ended) {
      this.logger?.log(
        { failedWrites: ended.consecutiveFailures, failingForMs: Date.now() - (ended.failingSince ?? Date.now()) },
        'event log writes succeed again',
      );
    }
  }
}
