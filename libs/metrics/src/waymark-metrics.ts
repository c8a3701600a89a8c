import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { NOT_READY_CODES, NotReadyReason } from './readiness';

/** One entry of /health/ready's checks: `ok`, a `detail` when not, and what was seen. */
export interface ReadinessEntry {
  ok: boolean;
  detail?: string;
  [key: string]: unknown;
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const SIZE_BUCKETS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 50000];

/**
 * Every metric Waymark exports, in one registry per process. Names follow Prometheus
 * conventions (`_total` counters, `_seconds` durations); docs/operations.md explains
 * each one.
 */
export class WaymarkMetrics {
  readonly registry = new Registry();

  readonly commands = new Counter({
    name: 'waymark_commands_total',
    help: 'Commands and queries handled, by type and outcome (ok, or the refusal code)',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'waymark_http_request_duration_seconds',
    help: 'HTTP request latency by route, method and status class',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly appendDuration = new Histogram({
    name: 'waymark_log_append_duration_seconds',
    help: 'Duration of one group commit to the event log (transaction and fsync)',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly appendGroupSize = new Histogram({
    name: 'waymark_log_append_group_size',
    help: 'Commands sharing one group commit',
    buckets: SIZE_BUCKETS,
    registers: [this.registry],
  });

  readonly projectedBatchSize = new Histogram({
    name: 'waymark_projector_batch_size',
    help: 'Events per batch the projector inserted into ClickHouse',
    buckets: SIZE_BUCKETS,
    registers: [this.registry],
  });

  readonly projectedEvents = new Counter({
    name: 'waymark_projector_events_total',
    help: 'Events the projector wrote into the read model',
    registers: [this.registry],
  });

  readonly projectorErasedEvents = new Counter({
    name: 'waymark_projector_erased_events_total',
    help: 'Events of erased users the projector skipped: their key is gone, so they decode to nothing (docs/privacy.md)',
    registers: [this.registry],
  });

  readonly projectorFailures = new Counter({
    name: 'waymark_projector_failures_total',
    help: 'Failed projection attempts (each is retried with backoff)',
    registers: [this.registry],
  });

  readonly deadLetters = new Counter({
    name: 'waymark_dead_letters_total',
    help: 'Records set aside as dead letters, by consumer group',
    labelNames: ['group'] as const,
    registers: [this.registry],
  });

  /** How to read each consumer group's lag, registered by the process that can (see sampleProjectorLag). */
  private readonly lagSources = new Map<string, () => Promise<number>>();

  readonly projectorLag = new Gauge({
    name: 'waymark_projector_lag_events',
    help: 'Events in the log not yet projected, by consumer group (sampled at scrape)',
    labelNames: ['group'] as const,
    registers: [this.registry],
    // prom-client calls this before each scrape: the lag is read then, not on every event.
    collect: async () => {
      for (const [group, read] of this.lagSources) this.projectorLag.set({ group }, await read());
    },
  });

  /** Extra entries of /health/ready's checks, by name (see describeInReadiness). */
  private readonly readinessEntries = new Map<string, () => ReadinessEntry>();

  /** Evaluates readiness (which records it here), registered by the probe (see evaluateReadinessAtScrape). */
  private readinessAtScrape?: () => Promise<unknown>;

  readonly ready = new Gauge({
    name: 'waymark_ready',
    help: '1 when the instance is ready (as /health/ready answers), else 0; updated at each readiness check and scrape',
    registers: [this.registry],
    collect: async () => {
      await this.readinessAtScrape?.();
    },
  });

  readonly notReadyReason = new Gauge({
    name: 'waymark_not_ready_reason',
    help: '1 for each reason the instance is not ready now (docs/operations.md, "Readiness reasons"), 0 for the others',
    labelNames: ['reason'] as const,
    registers: [this.registry],
    collect: async () => {
      await this.readinessAtScrape?.();
    },
  });

  readonly logIntegrityMissingEvents = new Gauge({
    name: 'waymark_log_integrity_missing_events',
    help: 'Events the read model or a consumer checkpoint knows that the event log no longer has, found by the start-up integrity check',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'waymark_' });
  }

  /**
   * Reads `group`'s lag at each scrape into `waymark_projector_lag_events`. A process
   * that registers none (the projector app sets the gauge itself) keeps what it set.
   */
  sampleProjectorLag(group: string, read: () => Promise<number>): void {
    this.lagSources.set(group, read);
  }

  /**
   * Has each scrape evaluate readiness first, so `waymark_ready` and
   * `waymark_not_ready_reason` are as fresh as the scrape (`evaluate` records its
   * verdict with recordReadiness; the probe shares one evaluation between the two).
   */
  evaluateReadinessAtScrape(evaluate: () => Promise<unknown>): void {
    this.readinessAtScrape = evaluate;
  }

  /**
   * Adds `name` to /health/ready's checks, read at each evaluation: what a background job
   * wants operators to see there (retention). Informational: it never makes the
   * instance unready (the probe's own checks do).
   */
  describeInReadiness(name: string, read: () => ReadinessEntry): void {
    this.readinessEntries.set(name, read);
  }

  /** The entries added with describeInReadiness, as the probe reads them. */
  readinessDescriptions(): Array<[string, ReadinessEntry]> {
    return [...this.readinessEntries].map(([name, read]) => [name, read()]);
  }

  /** Sets the readiness gauges from one evaluation: every known reason gets a series, 0 or 1. */
  recordReadiness(reasons: readonly NotReadyReason[]): void {
    this.ready.set(reasons.length === 0 ? 1 : 0);
    const active = new Set(reasons.map((reason) => reason.code));
    for (const code of NOT_READY_CODES) this.notReadyReason.set({ reason: code }, active.has(code) ? 1 : 0);
  }
}
