import { ShutdownGate } from '@waymark/http';
import { ProjectorRunner } from '@waymark/projection';
import { rmSync } from 'node:fs';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { AUTH, RunningApi, SEED_BODY, postJson, readJson, startApi } from '../support/api-app';
import { waitFor } from '../support/wait-for';

type Families = Array<{ name: string; metrics: Array<{ labels?: Record<string, string>; value: string }> }>;

/**
 * The drain: from the moment shutdown begins (SIGTERM runs the same Nest hooks as
 * `app.close()`: onModuleDestroy, then beforeApplicationShutdown, where the projector
 * finishes its batch, then the HTTP server closes) the instance refuses new work with
 * 503 SHUTTING_DOWN and says `shutting_down` on /health/ready and in the metrics, so a
 * load balancer stops routing to it. The projector's stop is held open here to make the
 * drain last (a large last batch to ClickHouse does that in production).
 */
describe('while the API drains on shutdown', () => {
  let api: RunningApi;
  let release: () => void = () => undefined;
  let closed: Promise<void> | undefined;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    release();
    await (closed ?? api.app.close());
    rmSync(api.dataDir, { recursive: true, force: true });
  });

  it('answers new requests 503 problem+json with Retry-After, and /health/ready and the metrics say shutting_down', async () => {
    const before = await readJson(await fetch(`${api.baseUrl}/health/ready`));
    expect(before.reasons.map((reason: { code: string }) => reason.code)).not.toContain('shutting_down');

    const projector = api.app.get(ProjectorRunner).projector;
    const stop = projector.stop.bind(projector);
    const held = new Promise<void>((resolve) => (release = resolve));
    jest.spyOn(projector, 'stop').mockImplementation(async () => {
      await held;
      await stop();
    });

    closed = api.app.close();
    await waitFor(
      () => api.app.get(ShutdownGate).closing,
      (closing) => closing,
    );
    // Still listening: this is the drain, not the closed server.
    expect(api.app.getHttpServer().listening).toBe(true);

    const refused = await postJson(`${api.baseUrl}/v1/sessions`, SEED_BODY, AUTH);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.headers.get('connection')).toBe('close');
    expect(await readJson(refused)).toMatchObject({ status: 503, code: 'SHUTTING_DOWN', instance: '/v1/sessions' });

    const ready = await fetch(`${api.baseUrl}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await readJson(ready)).toMatchObject({
      status: 'unavailable',
      reasons: [{ code: 'shutting_down', detail: expect.stringContaining('this instance is shutting down') }],
    });
    expect((await fetch(`${api.baseUrl}/health/live`)).status).toBe(200);

    const families = parsePrometheusTextFormat(await (await fetch(`${api.baseUrl}/metrics`)).text()) as Families;
    const metric = (name: string, labels: Record<string, string> = {}) =>
      Number(
        families.find((family) => family.name === name)?.metrics.find((entry) => Object.entries(labels).every(([key, value]) => entry.labels?.[key] === value))
          ?.value,
      );
    expect(metric('waymark_ready')).toBe(0);
    expect(metric('waymark_not_ready_reason', { reason: 'shutting_down' })).toBe(1);
    expect(metric('waymark_not_ready_reason', { reason: 'projector_not_running' })).toBe(0);

    release();
    await closed;
    expect(projector.stop).toHaveBeenCalledTimes(1);
  });
});
