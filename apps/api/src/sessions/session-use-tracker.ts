import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Clock } from '@waymark/domain';
import { SESSION_STORE, SessionStore, SessionUse } from '@waymark/session-store';
import { CLOCK } from '../shared/domain.providers';

/**
 * How often the uses this instance saw reach the store. Also how stale another
 * instance's view of a session's last use may be, so it is the allowance every idle
 * check adds (`timeoutOf`): a session is refused as idle between `idleTimeout` and
 * `idleTimeout + USE_FLUSH_INTERVAL_MS` after its last use, never before
 * (docs/session-timeouts.md). 5 s: a twelfth of a one-minute idle timeout, and at most
 * one write per session per 5 s however many verifies it gets.
 */
export const USE_FLUSH_INTERVAL_MS = 5_000;

/**
 * How long a use already written stays in memory. It saves a store read only for a
 * token older than its idle timeout, and the store has it: so memory holds the sessions
 * used in the last 15 minutes, not every session of the last idle timeout (which is the
 * refresh lifetime, days, by default). A session used less often costs one store read
 * when its token is older than its idle timeout.
 */
export const USE_KEPT_MS = 15 * 60_000;

interface Use {
  at: number;
  idleTimeoutMs: number;
  /** Seen here and not yet written to the store. */
  dirty: boolean;
}

/**
 * The last use of each session this instance saw (verify and activity count as use),
 * in memory: a verify writes nothing. Every USE_FLUSH_INTERVAL_MS the uses not yet
 * written go to the store in one batch (`recordUses`), so the store's `lastUsedAt`
 * trails the truth by at most the interval. Entries written and older than USE_KEPT_MS
 * (or idle) are dropped.
 */
@Injectable()
export class SessionUseTracker implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('sessions');
  private readonly uses = new Map<string, Use>();
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  readonly idleAllowanceMs = USE_FLUSH_INTERVAL_MS;

  constructor(
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.flushTimer = setInterval(() => void this.flush(), USE_FLUSH_INTERVAL_MS).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.flush();
  }

  /** A use seen here now: remembered, written with the next batch. */
  touch(sessionId: string, at: number, idleTimeoutMs: number): void {
    const use = this.uses.get(sessionId);
    if (!use) {
      this.uses.set(sessionId, { at, idleTimeoutMs, dirty: true });
    } else if (use.at < at) {
      // In place: this runs on every verify, and an object per call is garbage for nothing.
      use.at = at;
      use.dirty = true;
    }
  }

  /** What the store said of a session's last use: remembered, so the next verify need not ask again; never written back. */
  learn(sessionId: string, at: number, idleTimeoutMs: number): void {
    const use = this.uses.get(sessionId);
    if (use && use.at >= at) return;
    this.uses.set(sessionId, { at, idleTimeoutMs, dirty: use?.dirty ?? false });
  }

  /** The latest use of the session this instance knows of (seen or learnt), if any. */
  lastUse(sessionId: string): number | undefined {
    return this.uses.get(sessionId)?.at;
  }

  /** Writes the uses not yet written, one batch; drops entries of sessions idle by now. Never two at once. */
  flush(): Promise<void> {
    this.flushing ??= this.writeBatch().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async writeBatch(): Promise<void> {
    const now = this.clock();
    const batch: SessionUse[] = [];
    for (const [sessionId, use] of this.uses) {
      if (use.dirty) {
        batch.push({ sessionId, lastUsedAt: use.at });
        use.dirty = false;
      } else if (now - use.at > Math.min(use.idleTimeoutMs + USE_FLUSH_INTERVAL_MS, USE_KEPT_MS)) {
        // Written already, and idle or not recent: the store answers for it from now on.
        this.uses.delete(sessionId);
      }
    }
    if (batch.length === 0) return;
    try {
      await this.store.recordUses(batch);
    } catch (error) {
      // Kept for the next flush: a use must not be lost to a store that was briefly away.
      for (const { sessionId, lastUsedAt } of batch) {
        const use = this.uses.get(sessionId);
        if (use && use.at === lastUsedAt) use.dirty = true;
      }
      this.logger.warn({ err: error, sessions: batch.length }, 'session uses not written; retried with the next batch');
    }
  }
}
