import { WaymarkMetrics } from './waymark-metrics';

describe('WaymarkMetrics projector lag', () => {
  it('reads each registered group at scrape, not before', async () => {
    const metrics = new WaymarkMetrics();
    let lag = 3;
    let reads = 0;
    metrics.sampleProjectorLag('read-model', async () => {
      reads += 1;
      return lag;
    });
    expect(reads).toBe(0);
    expect(await metrics.registry.getSingleMetricAsString('waymark_projector_lag_events')).toContain('waymark_projector_lag_events{group="read-model"} 3');
    lag = 11;
    expect(await metrics.registry.metrics()).toContain('waymark_projector_lag_events{group="read-model"} 11');
    expect(reads).toBe(2);
  });

  it('keeps what was set when no source is registered (the projector app sets the gauge itself)', async () => {
    const metrics = new WaymarkMetrics();
    metrics.projectorLag.set({ group: 'read-model' }, 5);
    expect(await metrics.registry.metrics()).toContain('waymark_projector_lag_events{group="read-model"} 5');
  });
});

describe('WaymarkMetrics readiness at scrape', () => {
  it('evaluates readiness before the readiness gauges are read', async () => {
    const metrics = new WaymarkMetrics();
    let evaluations = 0;
    metrics.evaluateReadinessAtScrape(async () => {
      evaluations += 1;
      metrics.recordReadiness([{ code: 'projector_stalled', detail: 'stalled' }]);
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain('waymark_ready 0');
    expect(text).toContain('waymark_not_ready_reason{reason="projector_stalled"} 1');
    expect(evaluations).toBeGreaterThanOrEqual(1);
  });
});
