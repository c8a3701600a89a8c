import { EventsProjection } from '@waymark/projection';
import { EMBEDDED_DATABASE } from '@waymark/storage';
import { SqliteConnection } from '@waymark/sqlite';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { RunningApi, SEED_BODY, postJson, readJson, startApi } from '../support/api-app';
import { waitFor } from '../support/wait-for';

type Family = { name: string; metrics: Array<{ labels?: Record<string, string>; value: string }> };

/**
 * /health/ready answers 503 with the reason while the instance cannot do its job, and
 * 200 again once it can: log writes failing (disk full), the projector failing its
 * inserts, the projector making no progress with events waiting. Before, it stayed 200
 * through all of these.
 */
describe('readiness tells the truth (embedded)', () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi({ READY_PROJECTOR_MAX_FAILURES: '3', READY_PROJECTOR_STALL_SECONDS: '2', PROJECTOR_LINGER_MS: '0' });
  });

  afterAll(async () => {
    await api.close();
  });

  async function ready() {
    const response = await fetch(`${api.baseUrl}/health/ready`);
    return { status: response.status, body: await readJson(response) };
  }

  async function gauges(): Promise<Map<string, number>> {
    const families = parsePrometheusTextFormat(await (await fetch(`${api.baseUrl}/metrics`)).text()) as Family[];
    const values = new Map<string, number>();
    for (const family of families.filter((entry) => entry.name === 'waymark_ready' || entry.name === 'waymark_not_ready_reason')) {
      for (const metric of family.metrics) values.set(metric.labels?.reason ?? family.name, Number(metric.value));
    }
    return values;
  }

  const codes = (answer: { body: { reasons: Array<{ code: string }> } }) => answer.body.reasons.map((reason) => reason.code);

  const startSession = (userId: string, padding = '') => postJson(`${api.baseUrl}/v1/sessions`, { ...SEED_BODY, data: { ...SEED_BODY.data, userId, padding } });

  it('is ready, with no reasons, when everything works', async () => {
    const answer = await waitFor(ready, (current) => current.status === 200);
    expect(answer.body).toMatchObject({ status: 'ok', reasons: [] });
    const metrics = Object.fromEntries(await gauges());
    // Every reason has its series, at 0, so an alert can tell "0" from "never reported".
    expect(metrics).toEqual({
      waymark_ready: 1,
      event_log_unreachable: 0,
      log_writes_failing: 0,
      log_behind_read_model: 0,
      clickhouse_unreachable: 0,
      redis_unreachable: 0,
      projector_not_running: 0,
      projector_failing: 0,
      projector_stalled: 0,
      projector_lag_high: 0,
      shutting_down: 0,
    });
  });

  it('is not ready while every log write fails (disk full), and ready again after the next good write', async () => {
    const db = api.app.get<SqliteConnection>(EMBEDDED_DATABASE);
    // SQLite's own ceiling on the file's size: past it every page allocation fails with
    // SQLITE_FULL, as on a full disk.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    try {
      const padding = 'x'.repeat(3000);
      let refused = 0;
      for (let index = 0; index < 20 && refused < 3; index += 1) {
        if ((await startSession(`disk-full-${index}`, padding)).status === 503) refused += 1;
      }
      expect(refused).toBe(3);

      const answer = await ready();
      expect(answer.status).toBe(503);
      expect(answer.body.reasons).toContainEqual({ code: 'log_writes_failing', detail: expect.stringContaining('database or disk is full') });
      expect(answer.body.checks.logWrites).toMatchObject({ ok: false, failing: true, failingSince: expect.any(Number) });
      const metrics = await gauges();
      expect([metrics.get('waymark_ready'), metrics.get('log_writes_failing')]).toEqual([0, 1]);
    } finally {
      db.pragma('max_page_count = 1073741823');
    }

    expect((await startSession('disk-freed')).status).toBe(201);
    const recovered = await waitFor(ready, (current) => current.status === 200);
    expect(codes(recovered)).toEqual([]);
  });

  it('is not ready while the projector fails its inserts or makes no progress with events waiting', async () => {
    // ClickHouse refusing connections: a failure retrying can fix, so the projector retries.
    // At the projection's INSERT, which both paths (chDB's raw insert, the client over HTTP) go through.
    const refused = jest
      .spyOn(EventsProjection.prototype, 'insert')
      .mockImplementation(() => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' })));
    try {
      expect((await startSession('projector-down')).status).toBe(201);
      const answer = await waitFor(
        ready,
        (current) => codes(current).includes('projector_failing') && codes(current).includes('projector_stalled'),
        15_000,
        100,
      );
      expect(answer.status).toBe(503);
      expect(answer.body.reasons).toEqual(
        expect.arrayContaining([
          { code: 'projector_failing', detail: expect.stringContaining('ECONNREFUSED') },
          { code: 'projector_stalled', detail: expect.stringMatching(/no batch committed for \d+ s while \d+ events wait/) },
        ]),
      );
      expect(answer.body.checks.projector).toMatchObject({ ok: false, running: true, consecutiveFailures: expect.any(Number) });
      const metrics = await gauges();
      expect([metrics.get('waymark_ready'), metrics.get('projector_failing'), metrics.get('projector_stalled'), metrics.get('clickhouse_unreachable')]).toEqual(
        [0, 1, 1, 0],
      );
    } finally {
      refused.mockRestore();
    }
    const recovered = await waitFor(ready, (current) => current.status === 200, 20_000, 100);
    expect(codes(recovered)).toEqual([]);
  }, 45_000);
});
