import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunningApi, SEED_BODY, getJson, postJson, readJson, startApi } from '../support/api-app';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const DAY = 86_400_000;
const scope = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' };

/**
 * The shipped API (embedded) with a one-day retention and a pass every second: an
 * activity reported two days late leaves the journey and the SQLite log, the rest stays,
 * and /health/ready and /metrics say what is kept.
 */
describe('retention in the running API (embedded)', () => {
  const configDir = makeTempDir('retention-config');
  const interval = process.env.RETENTION_INTERVAL_SECONDS;
  let api: RunningApi;

  beforeAll(async () => {
    const example = JSON.parse(readFileSync(join(__dirname, '../../waymark.config.example.json'), 'utf8')) as { products: Array<Record<string, unknown>> };
    example.products[0].retention = { days: 1 };
    const file = join(configDir.path, 'waymark.config.json');
    writeFileSync(file, JSON.stringify(example));
    process.env.RETENTION_INTERVAL_SECONDS = '1';
    api = await startApi({ WAYMARK_CONFIG: file });
  });

  afterAll(async () => {
    await api?.close();
    if (interval === undefined) delete process.env.RETENTION_INTERVAL_SECONDS;
    else process.env.RETENTION_INTERVAL_SECONDS = interval;
    configDir.remove();
  });

  /** When each activity in the SQLite log happened (its columns, not its body, which may be sealed). */
  function loggedActivityTimes(): number[] {
    const db = new Database(join(api.dataDir, 'waymark.db'), { readonly: true });
    try {
      return db.prepare("SELECT occurred_at FROM events WHERE type = 'SessionActivityRecorded' ORDER BY position").pluck().all() as number[];
    } finally {
      db.close();
    }
  }

  it('prunes an event past the product retention from the read model and the log, and shows what it keeps', async () => {
    const started = await postJson(`${api.baseUrl}/v1/sessions`, { ...SEED_BODY, data: { userId: 'retained-user' } });
    expect(started.status).toBe(201);
    const { token } = await readJson(started);
    const records = [{ name: 'two-days-late', occurredAt: new Date(Date.now() - 2 * DAY).toISOString() }, { name: 'on-time' }];
    expect((await postJson(`${api.baseUrl}/v1/sessions/activity`, { ...scope, token, records })).status).toBe(201);

    const journey = () =>
      getJson(`${api.baseUrl}/v1/journeys?${new URLSearchParams({ ...scope, identifier: 'retained-user' })}`).then(readJson) as Promise<{
        events: Array<{ type: string; data: { name?: string } }>;
      }>;
    const names = (body: Awaited<ReturnType<typeof journey>>) => body.events.map((event) => event.data.name ?? event.type);
    const kept = await waitFor(journey, (body) => names(body).includes('on-time') && !names(body).includes('two-days-late'), 20_000, 200);
    expect(names(kept)).toEqual(['SessionStarted', 'on-time']);
    const times = await waitFor(loggedActivityTimes, (at) => at.length === 1, 20_000, 200);
    expect(times[0]).toBeGreaterThan(Date.now() - DAY);

    const ready = await readJson(await getJson(`${api.baseUrl}/health/ready`));
    expect(ready.checks.retention).toMatchObject({ ok: true, oldestKept: { readModel: expect.any(String), eventLog: expect.any(String) } });
    expect(Date.parse(ready.checks.retention.oldestKept.readModel)).toBeGreaterThan(Date.now() - DAY);
    const metrics = await (await getJson(`${api.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/waymark_retention_oldest_event_timestamp_seconds\{store="event_log"\} \d/);
    expect(metrics).toMatch(/waymark_retention_last_run_failed 0/);
  });
});
