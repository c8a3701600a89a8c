import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { RunningApi, SEED_BODY, getJson, postJson, readJson, startApi } from '../support/api-app';
import { waitFor } from '../support/wait-for';

type Family = {
  name: string;
  type: string;
  metrics: Array<{ labels?: Record<string, string>; value?: string; count?: string; buckets?: Record<string, string> }>;
};

/**
 * prom-client has no text parser of its own, so the scrape is parsed with
 * parse-prometheus-text-format, a parser of the exposition format.
 */
describe('health and metrics', () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  let lastText = '';

  async function scrape(): Promise<Map<string, Family>> {
    const response = await fetch(`${api.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    lastText = await response.text();
    const families = parsePrometheusTextFormat(lastText) as Family[];
    return new Map(families.map((family) => [family.name, family]));
  }

  const value = (family: Family | undefined, labels: Record<string, string> = {}) =>
    Number(family?.metrics.find((metric) => Object.entries(labels).every(([k, v]) => metric.labels?.[k] === v))?.value ?? 0);

  it('is live, and ready when the log, ClickHouse and the projector are fine', async () => {
    expect(await readJson(await fetch(`${api.baseUrl}/health/live`))).toEqual({ status: 'ok' });
    const ready = await fetch(`${api.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await readJson(ready)).toMatchObject({
      status: 'ok',
      checks: { eventLog: { ok: true }, clickhouse: { ok: true }, projector: { ok: true, running: true } },
    });
  });

  it('exposes metrics that parse, and whose counters move as traffic flows', async () => {
    const before = await scrape();
    for (const name of [
      'waymark_commands_total',
      'waymark_http_request_duration_seconds',
      'waymark_log_append_duration_seconds',
      'waymark_projector_lag_events',
      'waymark_process_cpu_user_seconds_total',
    ]) {
      expect([name, before.has(name)]).toEqual([name, true]);
    }
    const started = value(before.get('waymark_commands_total'), { type: 'StartSessionCommand', outcome: 'ok' });
    const refused = value(before.get('waymark_commands_total'), { type: 'StartSessionCommand', outcome: 'IDENTIFIER_MISSING' });

    for (let i = 0; i < 3; i += 1) expect((await postJson(`${api.baseUrl}/v1/sessions`, SEED_BODY)).status).toBe(201);
    expect((await postJson(`${api.baseUrl}/v1/sessions`, { ...SEED_BODY, data: {} })).status).toBe(422);
    await getJson(`${api.baseUrl}/v1/journeys?product=my-product-tag&env=snd&tag=session-tag&identifier=1919102009383`);

    const after = await waitFor(scrape, (families) => value(families.get('waymark_projector_events_total')) >= 3);
    expect(value(after.get('waymark_commands_total'), { type: 'StartSessionCommand', outcome: 'ok' })).toBe(started + 3);
    expect(value(after.get('waymark_commands_total'), { type: 'StartSessionCommand', outcome: 'IDENTIFIER_MISSING' })).toBe(refused + 1);
    expect(value(after.get('waymark_commands_total'), { type: 'GetJourneyQuery', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    const appends = after.get('waymark_log_append_duration_seconds')?.metrics[0];
    expect(Number(appends?.count)).toBeGreaterThanOrEqual(3);
    // That parser drops the labels of labelled histograms, so read this count from the text.
    expect(after.get('waymark_http_request_duration_seconds')?.type).toBe('HISTOGRAM');
    const httpCount = /waymark_http_request_duration_seconds_count\{route="\/v1\/sessions",method="POST",status="2xx"\} (\d+)/.exec(lastText);
    expect(Number(httpCount?.[1])).toBeGreaterThanOrEqual(3);
    // The lag is read at each scrape: the read model's group has its series (value() would
    // read a missing one as 0), and it comes down to 0 once the projector has caught up
    // with the events just written.
    const lagOf = (families: Map<string, Family>) =>
      families.get('waymark_projector_lag_events')?.metrics.find((metric) => metric.labels?.group === 'read-model')?.value;
    expect(lagOf(after)).toMatch(/^\d+$/);
    expect(lagOf(await waitFor(scrape, (families) => lagOf(families) === '0'))).toBe('0');
  });
});
