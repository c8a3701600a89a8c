import { NotReadyReason, ProjectorView, ReadinessThresholds, WriteFailureView, logWriteReasons, projectorReasons } from './readiness';
import { WaymarkMetrics } from './waymark-metrics';

const CHECK_TIMEOUT_MS = 2000;

/** What an app can be judged on; absent sources are not this app's concern (no Redis in the projector app). */
export interface ReadinessSources {
  /** The read-model group's lag: also proves the event log answers. */
  describeLag: () => Promise<number>;
  pingClickHouse: () => Promise<void>;
  pingRedis?: () => Promise<void>;
  /** The projector running in this process, if any. */
  projector?: ProjectorView;
  /** The log's write failure state, where this process writes the log. */
  logWrites?: () => WriteFailureView | undefined;
  /** The start-up integrity check's reasons (`log_behind_read_model`), if it found any. */
  logIntegrity?: () => NotReadyReason[];
  /** When this instance began to shut down (ms since the epoch), undefined while it serves. */
  shuttingDownSince?: () => number | undefined;
}

type Check = { ok: boolean; detail?: string; [key: string]: unknown };

export interface ReadinessVerdict {
  ready: boolean;
  /** Every reason the instance is not ready now; empty when ready. */
  reasons: NotReadyReason[];
  /** Per dependency, what was measured (kept for dashboards that read it). */
  checks: Record<string, Check>;
}

function within<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

async function attempt<T>(run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; detail: string }> {
  try {
    return { ok: true, value: await within(run()) };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Judges whether this instance can do its job, with a reason for each thing that stops
 * it (readiness.ts), and keeps `waymark_ready` / `waymark_not_ready_reason` in step.
 * Shared by the API (both modes) and the projector app, so /health/ready means the same
 * in each. Concurrent evaluations (a probe and a scrape) share one round of checks.
 */
export class ReadinessProbe {
  private inFlight: Promise<ReadinessVerdict> | undefined;

  constructor(
    private readonly sources: ReadinessSources,
    private readonly thresholds: ReadinessThresholds,
    private readonly metrics?: WaymarkMetrics,
  ) {}

  evaluate(): Promise<ReadinessVerdict> {
    const since = this.sources.shuttingDownSince?.();
    if (since !== undefined) return Promise.resolve(this.shuttingDown(since));
    this.inFlight ??= this.run().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /**
   * Shutting down says all there is to say, and the stores may be closing under the
   * checks: no dependency is asked (nor a round begun before shutdown reused), so the
   * answer is immediate and always `shutting_down`.
   */
  private shuttingDown(since: number): ReadinessVerdict {
    const detail = `this instance is shutting down (since ${new Date(since).toISOString()}); route requests to another instance`;
    const reasons: NotReadyReason[] = [{ code: 'shutting_down', detail }];
    this.metrics?.recordReadiness(reasons);
    return { ready: false, reasons, checks: { shutdown: { ok: false, detail } } };
  }

  /** Evaluates at every scrape, so the gauges are as fresh as the scrape. */
  exposeOnScrape(): void {
    this.metrics?.evaluateReadinessAtScrape(() => this.evaluate());
  }

  private async run(): Promise<ReadinessVerdict> {
    const { sources } = this;
    const [lag, clickhouse, redis] = await Promise.all([
      attempt(sources.describeLag),
      attempt(sources.pingClickHouse),
      sources.pingRedis ? attempt(sources.pingRedis) : Promise.resolve(undefined),
    ]);
    const reasons: NotReadyReason[] = [];
    const checks: Record<string, Check> = {};

    checks.eventLog = lag.ok ? { ok: true, lag: lag.value } : { ok: false, detail: lag.detail };
    if (!lag.ok) reasons.push({ code: 'event_log_unreachable', detail: lag.detail });

    if (sources.logWrites) {
      const writes = sources.logWrites();
      const failing = logWriteReasons(writes);
      checks.logWrites = { ok: failing.length === 0, ...(writes ?? {}) };
      reasons.push(...failing);
    }

    if (sources.logIntegrity) {
      const integrity = sources.logIntegrity();
      checks.logIntegrity = integrity.length === 0 ? { ok: true } : { ok: false, detail: integrity.map((reason) => reason.detail).join('; ') };
      reasons.push(...integrity);
    }

    checks.clickhouse = clickhouse.ok ? { ok: true } : { ok: false, detail: clickhouse.detail };
    if (!clickhouse.ok) reasons.push({ code: 'clickhouse_unreachable', detail: clickhouse.detail });

    if (redis) {
      checks.redis = redis.ok ? { ok: true } : { ok: false, detail: redis.detail };
      if (!redis.ok) reasons.push({ code: 'redis_unreachable', detail: redis.detail });
    }

    if (sources.projector) {
      const currentLag = lag.ok ? lag.value : undefined;
      const found = projectorReasons(sources.projector, currentLag, this.thresholds);
      const { consecutiveFailures, lastProgressAt, lastError } = sources.projector.health;
      checks.projector = {
        ok: found.length === 0 && currentLag !== undefined,
        running: sources.projector.isRunning,
        lag: currentLag,
        maxLag: this.thresholds.maxLagEvents,
        consecutiveFailures,
        lastProgressAt: new Date(lastProgressAt).toISOString(),
        ...(lastError === undefined ? {} : { lastError }),
      };
      reasons.push(...found);
    }

    // Added by background jobs (retention): shown, never a reason to be unready.
    for (const [name, entry] of this.metrics?.readinessDescriptions() ?? []) checks[name] ??= entry;

    // Shutdown began while the checks ran: that verdict, not a stale one, goes to the gauges.
    const since = sources.shuttingDownSince?.();
    if (since !== undefined) return this.shuttingDown(since);
    this.metrics?.recordReadiness(reasons);
    return { ready: reasons.length === 0, reasons, checks };
  }
}
