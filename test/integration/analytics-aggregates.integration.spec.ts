import { DEFAULT_QUERY_LIMITS, FunnelRepository, PathsRepository, RetentionRepository, TagDashboardRepository, runQuery } from '@waymark/read-model';
import { AnalyticsFixture, at, openAnalyticsFixture } from '../support/analytics-dataset';

const scope = { product: 'my-product-tag', envs: ['snd', 'prd'], tag: 'session-tag' };
const NOW = at('2026-11-22T21:00:00Z');
const RANGE = { from: at('2026-11-20T00:00:00Z'), to: at('2026-11-23T00:00:00Z') };

/**
 * Tag dashboard, paths, funnels and retention against the hand-built dataset (see
 * test/support/analytics-dataset.ts), where every row is stored at least twice.
 */
describe('analytics over the read model: aggregates (chDB)', () => {
  let fixture: AnalyticsFixture;
  let dashboards: TagDashboardRepository;
  let paths: PathsRepository;
  let funnels: FunnelRepository;
  let retention: RetentionRepository;

  beforeAll(async () => {
    fixture = await openAnalyticsFixture();
    dashboards = new TagDashboardRepository(fixture.clickhouse, DEFAULT_QUERY_LIMITS);
    paths = new PathsRepository(fixture.clickhouse, DEFAULT_QUERY_LIMITS);
    funnels = new FunnelRepository(fixture.clickhouse, DEFAULT_QUERY_LIMITS);
    retention = new RetentionRepository(fixture.clickhouse, DEFAULT_QUERY_LIMITS);
  });

  afterAll(async () => {
    await fixture.close();
  });

  it('builds the tag dashboard with exact counts', async () => {
    const dashboard = await dashboards.build({ scope, range: RANGE, interval: 'day', tz: 'UTC', now: NOW });
    expect(dashboard.users).toEqual({ total: 4, active: 2, inactive: 1, expired: 1, newToday: 1, newThisWeek: 4 });
    expect(dashboard.sessions).toEqual({ inRange: 5, active: 2, averagePerUser: 1.25 });
    expect(dashboard.dau).toEqual({ current: 2, previous: 1, changePct: 100 });
    expect(dashboard.wau).toEqual({ current: 4, previous: 0, changePct: null });
    expect(dashboard.mau).toEqual({ current: 4, previous: 0, changePct: null });
    expect(dashboard.sessionsOverTime).toEqual([
      { at: '2026-11-20T00:00:00.000Z', sessions: 2, users: 2 },
      { at: '2026-11-21T00:00:00.000Z', sessions: 1, users: 1 },
      { at: '2026-11-22T00:00:00.000Z', sessions: 2, users: 2 },
    ]);
    expect(dashboard.peakHours.filter((hour) => hour.count > 0)).toEqual([
      { hour: 8, count: 3 },
      { hour: 9, count: 6 },
      { hour: 10, count: 5 },
      { hour: 14, count: 3 },
      { hour: 20, count: 2 },
    ]);
    expect(dashboard.envs).toEqual([
      { env: 'prd', users: 1, sessions: 1, events: 5 },
      { env: 'snd', users: 3, sessions: 4, events: 22 },
    ]);
    expect(dashboard.sessionDurationMs).toEqual({ p50: 1_800_000, p90: 2_520_000, p99: 2_520_000, average: 1_440_000 });
    expect(dashboard.activity).toEqual({ total: 19, success: 16, errors: 2, other: 1, successRate: 0.8421, errorRate: 0.1053 });
    expect(dashboard.lifecycle).toEqual([
      { at: '2026-11-20T00:00:00.000Z', start: 2, refresh: 0, revoke: 0, extend: 0 },
      { at: '2026-11-21T00:00:00.000Z', start: 1, refresh: 0, revoke: 1, extend: 0 },
      { at: '2026-11-22T00:00:00.000Z', start: 2, refresh: 1, extend: 1, revoke: 0 },
    ]);
  });

  it('buckets the tag dashboard by days of the time zone asked for, and keeps to the envs given', async () => {
    const india = await dashboards.build({
      scope,
      range: { from: at('2026-11-19T18:30:00Z'), to: at('2026-11-22T18:30:00Z') },
      interval: 'day',
      tz: 'Asia/Kolkata',
      now: NOW,
    });
    // Dave's session (20:00Z on the 22nd) is already the 23rd in India.
    expect(india.sessionsOverTime.map((bucket) => [bucket.at, bucket.sessions])).toEqual([
      ['2026-11-19T18:30:00.000Z', 2],
      ['2026-11-20T18:30:00.000Z', 1],
      ['2026-11-21T18:30:00.000Z', 1],
    ]);
    const production = await dashboards.build({ scope: { ...scope, envs: ['prd'] }, range: RANGE, interval: 'day', tz: 'UTC', now: NOW });
    expect(production.users).toEqual({ total: 1, active: 1, inactive: 0, expired: 0, newToday: 1, newThisWeek: 1 });
    expect(production.activity.total).toBe(2);
    expect(production.envs).toEqual([{ env: 'prd', users: 1, sessions: 1, events: 5 }]);
  });

  it('answers the last bucket of a range that ends less than 15 minutes past a bucket edge', async () => {
    // As the default range does just after midnight or in an hour's first quarter (it ends now).
    const dashboard = await dashboards.build({
      scope,
      range: { from: at('2026-11-20T00:05:00Z'), to: at('2026-11-22T00:05:00Z') },
      interval: 'day',
      tz: 'UTC',
      now: NOW,
    });
    expect(dashboard.lifecycle.map((bucket) => bucket.at)).toEqual(['2026-11-20T00:00:00.000Z', '2026-11-21T00:00:00.000Z', '2026-11-22T00:00:00.000Z']);
    expect(dashboard.sessionsOverTime.map((bucket) => bucket.at)).toEqual(dashboard.lifecycle.map((bucket) => bucket.at));
  });

  it('counts exactly the events of ranges whose ends fall inside a quarter-hour', async () => {
    // The dashboard counts whole quarter-hours from `quarter` alone and reads the time
    // only in the quarters at the range's ends (migration 0011). Ends placed one
    // millisecond either side of real events cut quarters that hold events on both sides.
    const times = (
      await runQuery<{ ms: string }>(
        fixture.clickhouse,
        `SELECT DISTINCT toString(toUnixTimestamp64Milli(occurred_at)) AS ms FROM events
         WHERE product = {product:String} AND tag = {tag:String} AND identifier != '' ORDER BY ms`,
        { product: scope.product, tag: scope.tag },
        DEFAULT_QUERY_LIMITS,
      )
    ).map((row) => Number(row.ms));
    expect(times.length).toBeGreaterThan(10);
    const cuts = [times[2] + 1, times[5], times[Math.floor(times.length / 2)] - 1, times[times.length - 4] + 1, times[times.length - 1]];
    for (const from of cuts) {
      for (const to of cuts.filter((cut) => cut > from)) {
        const [expected] = await runQuery<{ activity: string; lifecycle: string }>(
          fixture.clickhouse,
          // The truth from the raw events, each distinct event once.
          `SELECT uniqExactIf(event_id, type = 'SessionActivityRecorded') AS activity,
                  uniqExactIf(event_id, type IN ('SessionStarted', 'SessionRefreshed', 'SessionRevoked', 'SessionExtended')) AS lifecycle
           FROM events
           WHERE product = {product:String} AND tag = {tag:String} AND env IN {envs:Array(String)} AND identifier != ''
             AND occurred_at >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND occurred_at < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`,
          { product: scope.product, tag: scope.tag, envs: scope.envs, from, to },
          DEFAULT_QUERY_LIMITS,
        );
        const dashboard = await dashboards.build({ scope, range: { from, to }, interval: 'hour', tz: 'UTC', now: NOW });
        const lifecycle = dashboard.lifecycle.reduce((sum, bucket) => sum + bucket.start + bucket.refresh + bucket.revoke + bucket.extend, 0);
        expect({ from, to, activity: dashboard.activity.total, lifecycle }).toEqual({
          from,
          to,
          activity: Number(expected.activity),
          lifecycle: Number(expected.lifecycle),
        });
      }
    }
  });

  it('counts paths from visits split at 30-minute gaps with repeats collapsed, as Sankey nodes and edges', async () => {
    const all = await paths.build({ scope, range: RANGE, steps: 5, edges: 50, visitGapMinutes: 30 });
    expect(all.visits).toBe(6);
    expect(all.edges).toEqual([
      { source: '1_home', target: '2_search', visits: 2 },
      { source: '2_product', target: '3_cart', visits: 2 },
      { source: '1_cart', target: '2_pay', visits: 1 },
      { source: '1_home', target: '2_pay', visits: 1 },
      { source: '1_home', target: '2_product', visits: 1 },
      { source: '1_search', target: '2_product', visits: 1 },
      { source: '2_search', target: '3_home', visits: 1 },
      { source: '2_search', target: '3_product', visits: 1 },
      { source: '3_cart', target: '4_checkout', visits: 1 },
      { source: '4_checkout', target: '5_pay', visits: 1 },
    ]);
    expect(all.nodes.map((node) => [node.id, node.visits])).toEqual([
      ['1_home', 4],
      ['1_cart', 1],
      ['1_search', 1],
      ['2_pay', 2],
      ['2_product', 2],
      ['2_search', 2],
      ['3_cart', 2],
      ['3_home', 1],
      ['3_product', 1],
      ['4_checkout', 1],
      ['5_pay', 1],
    ]);
    const top = await paths.build({ scope, range: RANGE, steps: 5, edges: 2, visitGapMinutes: 30 });
    expect(top.edges.map((edge) => `${edge.source}>${edge.target}`)).toEqual(['1_home>2_search', '2_product>3_cart']);
    expect(top.nodes.map((node) => node.id)).toEqual(['1_home', '2_product', '2_search', '3_cart']);
    // A one-hour gap keeps alice's first session in one visit: five visits.
    expect((await paths.build({ scope, range: RANGE, steps: 5, edges: 50, visitGapMinutes: 60 })).visits).toBe(5);
  });

  it('counts paths after a step and before a step', async () => {
    const after = await paths.build({ scope, range: RANGE, anchor: { step: 'home', direction: 'after' }, steps: 5, edges: 50, visitGapMinutes: 30 });
    expect(after.visits).toBe(4);
    expect(after.edges.map((edge) => `${edge.source}>${edge.target}:${edge.visits}`)).toEqual([
      '1_home>2_search:2',
      '1_home>2_pay:1',
      '1_home>2_product:1',
      '2_product>3_cart:1',
      '2_search>3_home:1',
      '2_search>3_product:1',
      '3_cart>4_checkout:1',
      '4_checkout>5_pay:1',
    ]);
    const before = await paths.build({ scope, range: RANGE, anchor: { step: 'pay', direction: 'before' }, steps: 3, edges: 50, visitGapMinutes: 30 });
    expect(before.visits).toBe(3);
    expect(before.edges.map((edge) => `${edge.source}>${edge.target}:${edge.visits}`)).toEqual([
      '1_cart>2_checkout:1',
      '2_cart>3_pay:1',
      '2_checkout>3_pay:1',
      '2_home>3_pay:1',
    ]);
    expect(before.nodes.find((node) => node.id === '3_pay')).toEqual({ id: '3_pay', step: 'pay', depth: 3, visits: 3, users: 2 });
  });

  it('computes an ordered funnel within a conversion window (windowFunnel)', async () => {
    const funnel = await funnels.build({ scope, range: RANGE, steps: ['home', 'product', 'pay'], windowSeconds: 3600 });
    expect(funnel).toEqual({
      windowSeconds: 3600,
      steps: [
        { step: 'home', users: 3, conversionFromStart: 1, conversionFromPrevious: 1, dropOff: 0 },
        { step: 'product', users: 1, conversionFromStart: 0.3333, conversionFromPrevious: 0.3333, dropOff: 2 },
        { step: 'pay', users: 1, conversionFromStart: 0.3333, conversionFromPrevious: 1, dropOff: 0 },
      ],
    });
    // Thirty seconds is too short for anyone's next step.
    const tight = await funnels.build({ scope, range: RANGE, steps: ['home', 'product', 'pay'], windowSeconds: 30 });
    expect(tight.steps.map((step) => step.users)).toEqual([3, 0, 0]);
    const searchers = await funnels.build({ scope, range: RANGE, steps: ['search', 'product', 'cart'], windowSeconds: 3600 });
    expect(searchers.steps.map((step) => step.users)).toEqual([3, 2, 2]);
  });

  it('computes retention cells for first-session-day cohorts (retention), leaving days not over yet empty', async () => {
    const early = await retention.build({ scope, range: RANGE, days: 3, tz: 'UTC', now: NOW });
    expect(early.cohorts).toEqual([
      { cohort: '2026-11-20', users: 2, returned: [2, 0, 1, null], rates: [1, 0, 0.5, null] },
      { cohort: '2026-11-21', users: 1, returned: [1, 0, null, null], rates: [1, 0, null, null] },
      { cohort: '2026-11-22', users: 1, returned: [1, null, null, null], rates: [1, null, null, null] },
    ]);
    const later = await retention.build({ scope, range: RANGE, days: 3, tz: 'UTC', now: at('2026-11-30T00:00:00Z') });
    expect(later.cohorts.map((cohort) => cohort.returned)).toEqual([
      [2, 0, 1, 0],
      [1, 0, 0, 0],
      [1, 0, 0, 0],
    ]);
  });

  it('stops a query at the row guard and answers STORE_UNAVAILABLE', async () => {
    await expect(runQuery(fixture.clickhouse, 'SELECT number FROM numbers(5)', {}, { ...DEFAULT_QUERY_LIMITS, maxResultRows: 3 })).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    await expect(runQuery(fixture.clickhouse, 'SELECT number FROM numbers(3)', {}, { ...DEFAULT_QUERY_LIMITS, maxResultRows: 3 })).resolves.toHaveLength(3);
  });
});
