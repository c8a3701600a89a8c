import { ReadinessProbe } from './readiness-probe';
import { RetentionSnapshot, registerRetentionMetrics } from './retention-metrics';
import { WaymarkMetrics } from './waymark-metrics';

const thresholds = { maxLagEvents: 1000, projectorMaxFailures: 5, projectorStallSeconds: 60 };
const sources = { describeLag: async () => 0, pingClickHouse: async () => undefined };

describe('retention metrics and readiness entry', () => {
  it('reads the last pass at scrape and shows it in /health/ready without making the instance unready', async () => {
    const state: { last?: RetentionSnapshot } = {};
    const metrics = new WaymarkMetrics();
    registerRetentionMetrics(metrics, () => state.last);
    const probe = new ReadinessProbe(sources, thresholds, metrics);

    expect((await probe.evaluate()).checks.retention).toEqual({ ok: true, detail: 'no retention pass yet' });
    expect(await metrics.registry.metrics()).toContain('waymark_retention_last_run_timestamp_seconds 0');

    state.last = {
      finishedAt: Date.parse('2026-12-03T12:00:00Z'),
      removed: { read_model: 12, event_log: 10 },
      oldestKept: { read_model: Date.parse('2026-11-03T12:00:00Z'), event_log: Date.parse('2026-11-03T11:00:00Z') },
      heldBy: 'consumer "laggard" has committed up to position 7',
      error: 'ClickHouse went away',
    };
    const verdict = await probe.evaluate();
    expect(verdict.ready).toBe(true);
    expect(verdict.checks.retention).toEqual({
      ok: false,
      detail: 'the last retention pass failed: ClickHouse went away',
      lastRunAt: '2026-12-03T12:00:00.000Z',
      oldestKept: { readModel: '2026-11-03T12:00:00.000Z', eventLog: '2026-11-03T11:00:00.000Z' },
      lastRemoved: { readModel: 12, eventLog: 10 },
      eventLogHeldBy: 'consumer "laggard" has committed up to position 7',
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain(`waymark_retention_oldest_event_timestamp_seconds{store="event_log"} ${Date.parse('2026-11-03T11:00:00Z') / 1000}`);
    expect(text).toContain('waymark_retention_last_removed_events{store="read_model"} 12');
    expect(text).toContain('waymark_retention_last_run_failed 1');
    expect(text).toContain('waymark_retention_event_log_held_back 1');
  });

  it('registers its gauges once per registry: a second app in the process takes the source over', async () => {
    const metrics = new WaymarkMetrics();
    registerRetentionMetrics(metrics, () => undefined);
    registerRetentionMetrics(metrics, () => ({ finishedAt: 5000, removed: {}, oldestKept: {} }));
    expect(await metrics.registry.metrics()).toContain('waymark_retention_last_run_timestamp_seconds 5');
  });
});
