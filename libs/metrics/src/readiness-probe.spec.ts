import { ReadinessProbe } from './readiness-probe';
import { WaymarkMetrics } from './waymark-metrics';

const thresholds = { maxLagEvents: 1000, projectorMaxFailures: 5, projectorStallSeconds: 60 };

async function gauge(metrics: WaymarkMetrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((entry) => entry.name === name);
  return metric?.values.find((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted))?.value;
}

describe('ReadinessProbe while shutting down', () => {
  it('answers shutting_down alone, without asking the stores, and the gauges say so', async () => {
    const closing: { since?: number } = {};
    const describeLag = jest.fn(async () => 0);
    const pingClickHouse = jest.fn(async () => undefined);
    const metrics = new WaymarkMetrics();
    const probe = new ReadinessProbe({ describeLag, pingClickHouse, shuttingDownSince: () => closing.since }, thresholds, metrics);

    expect(await probe.evaluate()).toMatchObject({ ready: true, reasons: [] });
    expect(describeLag).toHaveBeenCalledTimes(1);

    closing.since = Date.parse('2026-12-03T10:00:00Z');
    const verdict = await probe.evaluate();
    expect(verdict.ready).toBe(false);
    expect(verdict.reasons).toEqual([
      { code: 'shutting_down', detail: 'this instance is shutting down (since 2026-12-03T10:00:00.000Z); route requests to another instance' },
    ]);
    expect(describeLag).toHaveBeenCalledTimes(1);
    expect(pingClickHouse).toHaveBeenCalledTimes(1);
    expect(await gauge(metrics, 'waymark_ready')).toBe(0);
    expect(await gauge(metrics, 'waymark_not_ready_reason', { reason: 'shutting_down' })).toBe(1);
    expect(await gauge(metrics, 'waymark_not_ready_reason', { reason: 'clickhouse_unreachable' })).toBe(0);
  });

  it('a round of checks begun before shutdown does not put a stale "ready" in the gauges', async () => {
    const closing: { since?: number } = {};
    let answerLag: (lag: number) => void = () => undefined;
    const metrics = new WaymarkMetrics();
    const probe = new ReadinessProbe(
      {
        describeLag: () => new Promise<number>((resolve) => (answerLag = resolve)),
        pingClickHouse: async () => undefined,
        shuttingDownSince: () => closing.since,
      },
      thresholds,
      metrics,
    );
    const early = probe.evaluate();
    closing.since = Date.now();
    answerLag(0);
    expect((await early).reasons.map((reason) => reason.code)).toEqual(['shutting_down']);
    expect(await gauge(metrics, 'waymark_ready')).toBe(0);
  });
});
