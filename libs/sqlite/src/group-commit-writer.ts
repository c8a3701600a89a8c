import { SqliteConnection } from './sqlite-database';
import { DurabilitySync, walSyncFor } from './wal-sync';

type Work<T> = (db: SqliteConnection) => T;

/** One group commit: how many jobs it carried and how long it took from BEGIN until durable (the sync included). */
export interface CommitStats {
  jobs: number;
  ms: number;
}

export interface GroupCommitOptions {
  /**
   * How a COMMIT is made durable before its callers are answered. By default the one
   * the connection needs (`walSyncFor`: an fdatasync of the WAL in libuv's thread pool
   * under WAL + `synchronous = NORMAL`, nothing when SQLite syncs at commit itself);
   * `null` for none.
   */
  sync?: DurabilitySync | null;
}

interface Job {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const RESOLVED = Promise.resolve();
const noop = () => undefined;

/**
 * Group commit: every write requested during one turn of the event loop runs in a
 * single transaction, so concurrent commands share one commit and one sync. Each job
 * runs inside its own savepoint, so a job that throws is rolled back alone and the
 * others still commit. Promises resolve only once the data is durable: after COMMIT
 * and after a sync that started after that COMMIT returned.
 *
 * With a `DurabilitySync` (the default for the embedded database, see wal-sync.ts) the
 * COMMIT writes the WAL without syncing it and the sync runs off the event loop. At
 * most one sync runs at a time, and a sync already running may have begun before a
 * later COMMIT, so it cannot answer it. Writes requested while a sync runs therefore
 * wait in the queue and commit as one group when it ends, then get a sync of their own
 * (the leader/follower scheme of classic group commit): one COMMIT and one sync for
 * everything that arrived during the previous sync, the event loop free meanwhile. A failed sync rejects its groups and stops the writer: every
 * later write is refused, since the kernel may have dropped the pages it could not
 * write and a later sync could succeed without them.
 */
export class GroupCommitWriter {
  private queue: Job[] = [];
  private scheduled = false;
  private readonly afterCommitListeners: Array<(stats: CommitStats) => void> = [];
  private closed = false;
  private closing: Promise<void> | undefined;
  // better-sqlite3 builds four wrapper functions each time `db.transaction()` is called;
  // wrapping once here instead of per job took ~15 µs off every job. Called inside the
  // group's transaction, `runJob` opens a savepoint, exactly as a fresh wrapper did.
  private readonly runJob: (job: Job) => unknown;
  private readonly runGroup: (jobs: Job[], outcomes: Outcome[]) => void;

  private readonly durability: DurabilitySync | undefined;
  /** Groups committed so far, and how many of them a finished sync covered. */
  private committed = 0;
  private synced = 0;
  private running: Promise<void> | undefined;
  /** How many groups had committed when the running sync started: those it covers. */
  private runningCovers = 0;
  private queued: { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly db: SqliteConnection,
    options: GroupCommitOptions = {},
  ) {
    this.durability = options.sync === undefined ? walSyncFor(db) : (options.sync ?? undefined);
    this.runJob = db.transaction((job: Job) => job.work(db));
    this.runGroup = db.transaction((jobs: Job[], outcomes: Outcome[]) => {
      for (const job of jobs) {
        try {
          outcomes.push({ ok: true, value: this.runJob(job) });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
    });
  }

  run<T>(work: Work<T>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('the embedded store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      // While a sync runs the queue waits for it: it would have to wait for the next
      // sync anyway, and committing once after it makes one larger group.
      if (!this.running) this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.running) this.flush();
    });
  }

  /**
   * Resolves once every group committed before this call is durable. A reader that
   * answers from what it just read (not followed by a write of its own) awaits this
   * first, so it never answers from a commit that a crash could still take back.
   */
  durable(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.durability || this.synced >= this.committed) return RESOLVED;
    return this.requestSync();
  }

  /** Called after each commit is durable; the projector wakes on it, metrics count it. */
  onCommit(listener: (stats: CommitStats) => void): void {
    this.afterCommitListeners.push(listener);
  }

  /**
   * Commits what is queued, then refuses further writes; resolves once the last sync
   * finished and the WAL's descriptor is closed. Close the database only after that.
   */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.drain();
    return this.closing;
  }

  /** Commits the queue (at once when no sync runs), waits for every sync, then closes the sync. */
  private async drain(): Promise<void> {
    for (;;) {
      if (this.running) await this.running.catch(noop);
      else if (this.queue.length > 0) this.flush();
      else break;
    }
    await this.durability?.close();
  }

  private flush(): void {
    const jobs = this.queue;
    if (jobs.length === 0) return;
    this.queue = [];
    if (this.failure) {
      for (const job of jobs) job.reject(this.failure);
      return;
    }
    const startedAt = performance.now();
    const outcomes: Outcome[] = [];
    try {
      this.runGroup(jobs, outcomes);
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing of this group is durable.
      for (const job of jobs) job.reject(error);
      return;
    }
    this.committed += 1;
    const answer = () => {
      jobs.forEach((job, index) => {
        const outcome = outcomes[index];
        if (outcome.ok) job.resolve(outcome.value);
        else job.reject(outcome.error);
      });
      const stats: CommitStats = { jobs: jobs.length, ms: performance.now() - startedAt };
      for (const listener of this.afterCommitListeners) listener(stats);
    };
    if (!this.durability) {
      answer();
      return;
    }
    // Even a job that failed is answered after the sync: its error may come from state
    // (a row it conflicted with) that only this sync makes durable.
    this.requestSync().then(answer, (error: unknown) => {
      jobs.forEach((job, index) => {
        const outcome = outcomes[index];
        job.reject(outcome.ok ? error : outcome.error);
      });
    });
  }

  /**
   * A sync that covers every group committed so far: the running one if it started
   * after the last COMMIT, else one started now, or, while another runs (it may predate
   * the last COMMIT), the one started when that ends.
   */
  private requestSync(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.running) return this.startSync();
    if (this.runningCovers >= this.committed) return this.running;
    if (!this.queued) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.queued = { promise, resolve, reject };
    }
    return this.queued.promise;
  }

  private startSync(): Promise<void> {
    const covers = this.committed;
    const durability = this.durability as DurabilitySync;
    const run = durability.sync().then(
      () => {
        if (covers > this.synced) this.synced = covers;
      },
      (error: unknown) => {
        this.failure ??= new Error(`the embedded store could not make its writes durable; restart it (${(error as Error)?.message ?? error})`, { cause: error });
        throw this.failure;
      },
    );
    this.running = run;
    this.runningCovers = covers;
    const next = () => {
      this.running = undefined;
      const queued = this.queued;
      this.queued = undefined;
      if (queued) {
        if (this.failure) queued.reject(this.failure);
        else this.startSync().then(queued.resolve, queued.reject);
      }
      // Writes that arrived during the sync: one group, committed after this sync's
      // callers are answered (they continue in microtasks, before the immediate).
      if (this.queue.length > 0 && !this.closed) this.schedule();
    };
    run.then(next, next);
    return run;
  }
}
