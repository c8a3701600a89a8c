import { Gauge } from 'prom-client';
import { WaymarkMetrics } from './waymark-metrics';

/** Where events are kept: the read model (ClickHouse) and the embedded event log (SQLite). */
export type RetentionStore = 'read_model' | 'event_log';

/** What the last retention pass found (docs/retention.md), as /metrics and /health/ready show it. */
export interface RetentionSnapshot {
  /** When the pass ended (Unix ms). */
  finishedAt: number;
  /** Events it removed per store (a store it does not prune is absent). */
  removed: Partial<Record<RetentionStore, number>>;
  /** When the oldest event each store kept happened (Unix ms); absent when the store is empty. */
  oldestKept: Partial<Record<RetentionStore, number>>;
  /** Why events past retention stay in the event log, if they do. */
  heldBy?: string;
  /** The pass failed with this message (the next one retries). */
  error?: string;
}

const STORES: readonly RetentionStore[] = ['read_model', 'event_log'];

/**
 * The source each registry's gauges read. One WaymarkMetrics can serve several apps in
 * one process (tests start the API more than once; MetricsModule holds one instance):
 * the gauges are registered once per registry and read the latest app's job, as
 * sampleProjectorLag does for the lag.
 */
const sources = new WeakMap<WaymarkMetrics, { last: () => RetentionSnapshot | undefined }>();

/**
 * Registers the retention gauges, read from `last` at each scrape, and the `retention`
 * entry of /health/ready's checks. Informational: retention never makes an instance
 * unready (a failed pass is retried, and serving does not depend on it).
 */
export function registerRetentionMetrics(metrics: WaymarkMetrics, read: () => RetentionSnapshot | undefined): void {
  const registered = sources.get(metrics);
  if (registered) {
    registered.last = read;
    return;
  }
  const source = { last: read };
  sources.set(metrics, source);
  const last = () => source.last();
  const registers = [metrics.registry];
  const oldest = new Gauge({
    name: 'waymark_retention_oldest_event_timestamp_seconds',
    help: 'When the oldest event each store keeps happened (Unix seconds), as the last retention pass found it',
    labelNames: ['store'] as const,
    registers,
    collect: () => {
      const snapshot = last();
      for (const store of STORES) {
        const at = snapshot?.oldestKept[store];
        if (at === undefined) oldest.remove({ store });
        else oldest.set({ store }, at / 1000);
      }
    },
  });
  const removed = new Gauge({
    name: 'waymark_retention_last_removed_events',
    help: 'Events the last retention pass removed from each store (read model: rows of its events table)',
    labelNames: ['store'] as const,
    registers,
    collect: () => {
      const snapshot = last();
      for (const store of STORES) {
        const count = snapshot?.removed[store];
        if (count === undefined) removed.remove({ store });
        else removed.set({ store }, count);
      }
    },
  });
  const lastRun: Gauge = new Gauge({
    name: 'waymark_retention_last_run_timestamp_seconds',
    help: 'When the last retention pass ended (Unix seconds); 0 before the first',
    registers,
    collect: () => {
      lastRun.set((last()?.finishedAt ?? 0) / 1000);
    },
  });
  const failed: Gauge = new Gauge({
    name: 'waymark_retention_last_run_failed',
    help: '1 when the last retention pass failed (it is retried at the next interval), else 0',
    registers,
    collect: () => {
      failed.set(last()?.error === undefined ? 0 : 1);
    },
  });
  const held: Gauge = new Gauge({
    name: 'waymark_retention_event_log_held_back',
    help: '1 when events past retention stay in the event log behind a consumer checkpoint or an unfinished replay, else 0',
    registers,
    collect: () => {
      held.set(last()?.heldBy === undefined ? 0 : 1);
    },
  });

  metrics.describeInReadiness('retention', () => {
    const snapshot = last();
    if (!snapshot) return { ok: true, detail: 'no retention pass yet' };
    const iso = (at: number | undefined) => (at === undefined ? undefined : new Date(at).toISOString());
    return {
      ok: snapshot.error === undefined,
      ...(snapshot.error === undefined ? {} : { detail: `the last retention pass failed: ${snapshot.error}` }),
      lastRunAt: iso(snapshot.finishedAt),
      oldestKept: { readModel: iso(snapshot.oldestKept.read_model), eventLog: iso(snapshot.oldestKept.event_log) },
      lastRemoved: { readModel: snapshot.removed.read_model, eventLog: snapshot.removed.event_log },
      ...(snapshot.heldBy === undefined ? {} : { eventLogHeldBy: snapshot.heldBy }),
    };
  });
}
