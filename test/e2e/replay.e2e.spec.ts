import { ClickHouseClient } from '@clickhouse/client';
import { CLICKHOUSE } from '@waymark/read-model';
import { Journey, WaymarkClient } from '@waymark/sdk';
import { RunningApi, TEST_KEY, getJson, readJson, startApi } from '../support/api-app';
import { waitFor } from '../support/wait-for';

const scope = { product: 'my-product-tag', env: 'snd', tag: 'session-tag' };
const USERS = Array.from({ length: 12 }, (_, i) => `replay-user-${i}`);

describe('replay: rebuild the read model from the log (embedded, through the service)', () => {
  let api: RunningApi;
  let waymark: WaymarkClient;
  let clickhouse: ClickHouseClient;

  beforeAll(async () => {
    // Small batches so a replay takes long enough to interrupt (a replay INSERTs 4 of
    // them at a time: 40 events).
    api = await startApi({ PROJECTOR_BATCH_SIZE: '10' });
    waymark = new WaymarkClient({ baseUrl: api.baseUrl, apiKey: TEST_KEY });
    clickhouse = api.app.get(CLICKHOUSE);
    for (const userId of USERS) {
      const started = await waymark.sessions.start({ ...scope, data: { userId } });
      await waymark.sessions.track({
        ...scope,
        token: started.token,
        records: Array.from({ length: 20 }, (_, i) => ({ name: `step-${i % 5}`, latencyMs: i })),
      });
      const refreshed = await waymark.sessions.refresh({ ...scope, refreshToken: started.refreshToken });
      if (userId.endsWith('3')) await waymark.sessions.revoke({ ...scope, sessionId: refreshed.sessionId });
    }
    await waitFor(
      () => totalRows(),
      (rows) => rows >= USERS.length * 22,
    );
  });

  afterAll(async () => {
    await api.close();
  });

  async function totalRows(): Promise<number> {
    const result = await clickhouse.query({ query: "SELECT uniqExact(event_id) AS n FROM events WHERE identifier != ''", format: 'JSONEachRow' });
    return Number((await result.json<{ n: string }>())[0].n);
  }

  /** Every read endpoint's answer: journeys, and each analytics query, for a sample of users. */
  async function answers(): Promise<unknown[]> {
    const journeys: Journey[] = await Promise.all(USERS.map((identifier) => waymark.journeys.get({ ...scope, identifier })));
    const q = (params: Record<string, string>) => new URLSearchParams({ product: scope.product, tag: scope.tag, ...params }).toString();
    const paths = [
      `/v1/analytics/users?${q({ env: scope.env })}`,
      `/v1/analytics/dashboard?${q({})}`,
      `/v1/analytics/paths?${q({ start: 'step-0' })}`,
      `/v1/analytics/funnel?${q({ steps: 'step-0,step-1,step-2' })}`,
      `/v1/analytics/retention?${q({})}`,
      ...USERS.slice(0, 4).flatMap((identifier) => [
        `/v1/analytics/users/profile?${q({ env: scope.env, identifier })}`,
        `/v1/analytics/users/journey?${q({ env: scope.env, identifier })}`,
        `/v1/analytics/users/dashboard?${q({ env: scope.env, identifier })}`,
      ]),
    ];
    const analytics = await Promise.all(
      paths.map(async (path) => {
        const response = await getJson(`${api.baseUrl}${path}`);
        expect([path, response.status]).toEqual([path, 200]);
        return { path, body: await readJson(response) };
      }),
    );
    return [...journeys, ...analytics];
  }

  async function isEmpty(): Promise<boolean> {
    const journeys = await Promise.all(USERS.map((identifier) => waymark.journeys.get({ ...scope, identifier })));
    const users = await readJson(await getJson(`${api.baseUrl}/v1/analytics/users?product=${scope.product}&tag=${scope.tag}&env=${scope.env}`));
    return journeys.every((journey) => journey.events.length === 0) && (users.total ?? users.users?.length ?? 0) === 0;
  }

  async function replayToEnd(from = 'beginning', extra: { product?: string; tag?: string } = {}) {
    const started = await waymark.replays.start({ from, ...extra });
    expect(started.id).toBeDefined();
    return waitFor(
      () => waymark.replays.get(started.id!),
      (progress) => progress.status !== 'running',
      20_000,
      50,
    );
  }

  it('plans without changing anything on --dry-run', async () => {
    const plan = await waymark.replays.start({ dryRun: true });
    expect(plan.dryRun).toBe(true);
    expect(plan.plan.events).toBeGreaterThanOrEqual(USERS.length * 22);
    expect(plan.description).toContain('from the beginning of the log');
  });

  it('after wiping the read model, a replay reproduces exactly the same answers', async () => {
    const before = await answers();
    for (const table of ['events', 'sessions', 'events_by_quarter', 'activity_by_user']) await clickhouse.command({ query: `TRUNCATE TABLE ${table}` });
    expect(await isEmpty()).toBe(true);

    const progress = await replayToEnd();
    expect(progress).toMatchObject({ status: 'completed', phase: 'done', skipped: 0 });
    expect(progress.processed).toBeGreaterThanOrEqual(USERS.length * 22);
    expect(await answers()).toEqual(before);
  });

  it('interrupted halfway and resumed, gives the same result', async () => {
    const before = await answers();
    const started = await waymark.replays.start({ from: 'beginning' });
    await waitFor(
      () => waymark.replays.get(started.id!),
      (progress) => progress.processed >= 80,
      10_000,
      5,
    );
    await waymark.replays.cancel(started.id!);
    const stopped = await waitFor(
      () => waymark.replays.get(started.id!),
      (progress) => progress.status !== 'running',
      10_000,
      20,
    );
    expect(stopped.status).toBe('interrupted');
    expect(stopped.processed).toBeLessThan(stopped.total);

    // Another replay may not start while this one is unfinished.
    await expect(waymark.replays.start({ from: 'beginning' })).rejects.toMatchObject({ status: 409, code: 'REPLAY_CONFLICT' });

    await waymark.replays.resume(started.id!);
    const done = await waitFor(
      () => waymark.replays.get(started.id!),
      (progress) => progress.status !== 'running',
      20_000,
      50,
    );
    expect(done.status).toBe('completed');
    expect(await answers()).toEqual(before);
  });

  it('loses none of the sessions that arrive while it runs', async () => {
    const started = await waymark.replays.start({ from: 'beginning' });
    const arrived: string[] = [];
    let progress = await waymark.replays.get(started.id!);
    // Keep sessions arriving while it runs (bounded, so the journey stays within one page).
    while (progress.status === 'running' && arrived.length < 300) {
      const session = await waymark.sessions.start({ ...scope, data: { userId: 'during-replay' } });
      arrived.push(session.sessionId);
      progress = await waymark.replays.get(started.id!);
    }
    progress = await waitFor(
      () => waymark.replays.get(started.id!),
      (current) => current.status !== 'running',
      20_000,
      50,
    );
    expect(progress.status).toBe('completed');
    expect(arrived.length).toBeGreaterThan(0);
    const journey = await waitFor(
      () => waymark.journeys.get({ ...scope, identifier: 'during-replay' }),
      (j) => j.sessions.length >= arrived.length,
    );
    expect(journey.sessions.map((session) => session.sessionId).sort()).toEqual([...arrived].sort());
    expect(new Set(journey.events.map((event) => event.id)).size).toBe(journey.events.length);
  });

  it('a partial replay (one product, from a time) keeps every row outside its scope', async () => {
    const before = await answers();
    const progress = await replayToEnd(new Date(Date.now() - 60_000).toISOString(), { product: 'my-product-tag', tag: 'session-tag' });
    expect(progress.status).toBe('completed');
    expect(await answers()).toEqual(before);
  });

  it('refuses a bad --from naming the field', async () => {
    await expect(waymark.replays.start({ from: 'yesterday' })).rejects.toMatchObject({ status: 400, fieldErrors: [{ field: 'from' }] });
  });

  it.each(['position:abc', 'position:0', 'position:1.5'])('refuses %s, a position the log does not have, as 400 on from (not a 500)', async (from) => {
    await expect(waymark.replays.start({ from })).rejects.toMatchObject({ status: 400, code: 'INVALID_REQUEST', fieldErrors: [{ field: 'from' }] });
  });
});
