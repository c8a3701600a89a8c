import { DEFAULT_QUERY_LIMITS, JourneyItem, UserDashboardRepository, UserJourneyRepository, UserProfileRepository, UsersRepository } from '@waymark/read-model';
import { AnalyticsFixture, activityEvent, at, openAnalyticsFixture } from '../support/analytics-dataset';

const scope = { product: 'my-product-tag', envs: ['snd', 'prd'], tag: 'session-tag' };
const key = (identifier: string, env = 'snd') => ({ product: 'my-product-tag', env, tag: 'session-tag', identifier });
/** Sunday evening: A2 and D1 are live, A1 and B1 have ended, C1 was revoked. */
const NOW = at('2026-11-22T21:00:00Z');

/** Users, profiles, journeys and user dashboards against the hand-built dataset (see test/support/analytics-dataset.ts). */
describe('analytics over the read model: users (chDB)', () => {
  let fixture: AnalyticsFixture;
  let users: UsersRepository;
  let profiles: UserProfileRepository;
  let journeys: UserJourneyRepository;
  let dashboards: UserDashboardRepository;

  beforeAll(async () => {
    fixture = await openAnalyticsFixture();
    users = new UsersRepository(fixture.clickhouse, DEFAULT_QUERY_LIMITS);
    profiles = new UserProfileRepository(fixture.clickhouse, DEFAULT_QUERY_LIMITS);
    journeys = new UserJourneyRepository(fixture.clickhouse, DEFAULT_QUERY_LIMITS);
    dashboards = new UserDashboardRepository(fixture.clickhouse, DEFAULT_QUERY_LIMITS);
  });

  afterAll(async () => {
    await fixture.close();
  });

  it('holds every event at least twice before merges, so the answers below prove deduplication', async () => {
    const result = await fixture.clickhouse.query({ query: 'SELECT count() AS rows, uniqExact(event_id) AS events FROM events', format: 'JSONEachRow' });
    const [row] = await result.json<{ rows: string; events: string }>();
    expect(Number(row.events)).toBe(27);
    // Two projector groups, and two events appended a second time: 27 × 2 + 2 × 2.
    expect(Number(row.rows)).toBe(58);
  });

  const list = (overrides: Partial<Parameters<UsersRepository['list']>[0]> = {}) =>
    users.list({ scope, now: NOW, sort: 'lastSeen', order: 'desc', page: 1, pageSize: 20, ...overrides });

  it('lists the users of a tag with first and last seen, sessions and status', async () => {
    const page = await list();
    expect(page.total).toBe(4);
    expect(page.users).toEqual([
      { identifier: 'dave', env: 'prd', firstSeen: '2026-11-22T20:00:00.000Z', lastSeen: '2026-11-22T20:40:00.000Z', sessions: 1, status: 'active' },
      { identifier: 'alice', env: 'snd', firstSeen: '2026-11-20T09:00:00.000Z', lastSeen: '2026-11-22T10:05:00.000Z', sessions: 2, status: 'active' },
      { identifier: 'carol', env: 'snd', firstSeen: '2026-11-21T08:00:00.000Z', lastSeen: '2026-11-21T08:30:00.000Z', sessions: 1, status: 'inactive' },
      { identifier: 'bob', env: 'snd', firstSeen: '2026-11-20T14:00:00.000Z', lastSeen: '2026-11-20T14:03:00.000Z', sessions: 1, status: 'expired' },
    ]);
  });

  it('filters by status, env, search and time seen, and pages', async () => {
    expect((await list({ status: 'active' })).users.map((user) => user.identifier)).toEqual(['dave', 'alice']);
    expect((await list({ status: 'inactive' })).users.map((user) => user.identifier)).toEqual(['carol']);
    expect((await list({ status: 'expired' })).users.map((user) => user.identifier)).toEqual(['bob']);
    expect((await list({ scope: { ...scope, envs: ['prd'] } })).users.map((user) => user.identifier)).toEqual(['dave']);
    expect((await list({ search: 'A', sort: 'identifier', order: 'asc' })).users.map((user) => user.identifier)).toEqual(['alice', 'carol', 'dave']);
    expect((await list({ seen: { from: at('2026-11-21T00:00:00Z'), to: at('2026-11-22T00:00:00Z') } })).users.map((user) => user.identifier)).toEqual([
      'alice',
      'carol',
    ]);
    const second = await list({ sort: 'sessions', order: 'desc', page: 2, pageSize: 3 });
    expect(second).toMatchObject({ total: 4, page: 2, pageSize: 3 });
    expect(second.users.map((user) => user.identifier)).toEqual(['dave']);
    expect(await list({ page: 3, pageSize: 3 })).toEqual({ total: 4, page: 3, pageSize: 3, users: [] });
  });

  it('judges status at the time asked: once every session has ended, alice and dave are expired too', async () => {
    const later = await list({ now: at('2027-01-15T00:00:00Z'), sort: 'identifier', order: 'asc' });
    expect(later.users.map((user) => [user.identifier, user.status])).toEqual([
      ['alice', 'expired'],
      ['bob', 'expired'],
      ['carol', 'inactive'],
      ['dave', 'expired'],
    ]);
  });

  it("answers a user's profile: sessions newest first with end, activity, duration and event count, and the latest sealed data", async () => {
    const profile = await profiles.find(key('alice'), NOW, 10);
    expect(profile).toEqual({
      identifier: 'alice',
      env: 'snd',
      firstSeen: '2026-11-20T09:00:00.000Z',
      lastSeen: '2026-11-22T10:05:00.000Z',
      status: 'active',
      sessionCount: 2,
      sessions: [
        {
          sessionId: fixture.events.sessions.a2.sessionId,
          startedAt: '2026-11-22T10:00:00.000Z',
          endsAt: '2026-12-22T10:00:00.000Z',
          revokedAt: null,
          lastEventAt: '2026-11-22T10:05:00.000Z',
          active: true,
          durationMs: 300_000,
          eventCount: 6,
        },
        {
          sessionId: fixture.events.sessions.a1.sessionId,
          startedAt: '2026-11-20T09:00:00.000Z',
          endsAt: '2026-11-21T09:00:00.000Z',
          revokedAt: null,
          lastEventAt: '2026-11-20T09:42:00.000Z',
          active: false,
          durationMs: 2_520_000,
          eventCount: 7,
        },
      ],
      latestSealedData: 'latest-sealed-data-of-alice',
    });
    const carol = await profiles.find(key('carol'), NOW, 10);
    expect(carol?.sessions[0]).toMatchObject({
      endsAt: '2026-11-21T08:30:00.000Z',
      revokedAt: '2026-11-21T08:30:00.000Z',
      active: false,
      eventCount: 5,
      durationMs: 1_800_000,
    });
    const dave = await profiles.find(key('dave', 'prd'), NOW, 10);
    // Extended after its refresh: the session's end is the latest refreshExpiresAt.
    expect(dave?.sessions[0]).toMatchObject({ endsAt: '2026-12-29T20:30:00.000Z', active: true, eventCount: 5 });
    expect(await profiles.find(key('nobody'), NOW, 10)).toBeUndefined();
    expect((await profiles.find(key('alice'), NOW, 1))?.sessions).toHaveLength(1);
  });

  const times = (items: JourneyItem[]) => items.map((item) => item.occurredAt.slice(8, 16));

  it('pages through a journey by cursor, each event once, in time order', async () => {
    const pages: JourneyItem[][] = [];
    let after;
    do {
      const page = await journeys.page({ key: key('alice'), limit: 5, after });
      pages.push(page.items);
      after = page.next ?? undefined;
    } while (after);
    expect(pages.map((page) => page.length)).toEqual([5, 5, 3]);
    expect(times(pages.flat())).toEqual([
      '20T09:00',
      '20T09:01',
      '20T09:02',
      '20T09:03',
      '20T09:40',
      '20T09:41',
      '20T09:42',
      '22T10:00',
      '22T10:01',
      '22T10:02',
      '22T10:03',
      '22T10:04',
      '22T10:05',
    ]);
    const [start, home] = pages[0];
    expect(start).toMatchObject({
      type: 'SessionStarted',
      sessionId: fixture.events.sessions.a1.sessionId,
      data: { refreshExpiresAt: '2026-11-21T09:00:00.000Z' },
    });
    expect(start.data).not.toHaveProperty('sealedData');
    expect(home).toMatchObject({ type: 'SessionActivityRecorded', name: 'home', status: 'success', latencyMs: 100, processId: 'w2' });
    // Exactly these fields: data is JSON made by ClickHouse at insert (migration 0006).
    const homeEvent = fixture.events.alice1[1];
    expect(home).toEqual({
      id: homeEvent.id,
      type: 'SessionActivityRecorded',
      occurredAt: '2026-11-20T09:01:00.000Z',
      sessionId: homeEvent.sessionId,
      name: 'home',
      status: 'success',
      latencyMs: 100,
      processId: 'w2',
      data: { name: 'home', status: 'success', latencyMs: 100, processId: 'w2' },
    });
    expect(start).toEqual({
      id: fixture.events.alice1[0].id,
      type: 'SessionStarted',
      occurredAt: '2026-11-20T09:00:00.000Z',
      sessionId: fixture.events.sessions.a1.sessionId,
      data: { expiresAt: '2026-11-20T10:00:00.000Z', refreshExpiresAt: '2026-11-21T09:00:00.000Z' },
    });
    // The data comes back whole, rebuilt from columns extracted at insert.
    const pay = pages[1][1];
    expect(pay.data).toEqual(fixture.events.alice1[6].data);
    expect(pay.data).toEqual({
      name: 'pay',
      parent: 'cart',
      child: 'card',
      status: 'success',
      latencyMs: 400,
      processId: 'w2',
      properties: { amount: 12.5, items: ['a', 'b'] },
    });
    expect(home.data).toEqual({ name: 'home', status: 'success', latencyMs: 100, processId: 'w2' });
    const carol = await journeys.page({ key: key('carol'), limit: 10, kind: 'lifecycle' });
    expect(carol.items.map((item) => item.data)).toEqual([
      { expiresAt: '2026-11-21T09:00:00.000Z', refreshExpiresAt: '2026-12-21T08:00:00.000Z' },
      { reason: 'requested' },
    ]);
  });

  it('keeps pages stable while events arrive: a later event lands at the end, a late one in its place in time', async () => {
    const first = await journeys.page({ key: key('alice'), limit: 5 });
    const a2 = fixture.events.sessions.a2;
    await fixture.append([
      activityEvent(a2, '2026-11-22T10:06:00Z', 'home', 'success', 5),
      // Arrives late, with a time before the cursor: it never shifts the pages after it.
      activityEvent(fixture.events.sessions.a1, '2026-11-20T09:00:30Z', 'home', 'success', 5),
    ]);
    const second = await journeys.page({ key: key('alice'), limit: 5, after: first.next! });
    const third = await journeys.page({ key: key('alice'), limit: 5, after: second.next! });
    expect(times(second.items)).toEqual(['20T09:41', '20T09:42', '22T10:00', '22T10:01', '22T10:02']);
    expect(times(third.items)).toEqual(['22T10:03', '22T10:04', '22T10:05', '22T10:06']);
    expect(third.next).toBeNull();
  });

  it('filters a journey by time range, kind, status, name and process id', async () => {
    const page = (filters: Partial<Parameters<UserJourneyRepository['page']>[0]>) =>
      journeys.page({ key: key('alice'), limit: 100, ...filters }).then((p) => times(p.items));
    expect(await page({ status: 'error' })).toEqual(['20T09:03']);
    expect(await page({ name: 'cart' })).toEqual(['20T09:40', '20T09:41', '22T10:03']);
    expect(await page({ processId: 'w1' })).toEqual(['20T09:03']);
    expect(await page({ kind: 'lifecycle' })).toEqual(['20T09:00', '22T10:00']);
    expect(await page({ range: { from: at('2026-11-22T10:02:00Z'), to: at('2026-11-22T10:04:00Z') } })).toEqual(['22T10:02', '22T10:03']);
    expect(await page({ kind: 'lifecycle', status: 'success' })).toEqual([]);
  });

  it("builds a user's dashboard: activity, latency and outcome timelines, peak hours, success rate", async () => {
    const dashboard = await dashboards.build({
      key: key('bob'),
      range: { from: at('2026-11-20T00:00:00Z'), to: at('2026-11-22T00:00:00Z') },
      interval: 'day',
      tz: 'UTC',
    });
    expect(dashboard.totals).toEqual({
      events: 4,
      activities: 3,
      sessions: 1,
      success: 2,
      errors: 0,
      successRate: 0.6667,
      errorRate: 0,
      latencyP50Ms: 80,
      latencyP95Ms: 900,
    });
    expect(dashboard.activity).toEqual([
      { at: '2026-11-20T00:00:00.000Z', count: 3 },
      { at: '2026-11-21T00:00:00.000Z', count: 0 },
    ]);
    expect(dashboard.latency).toEqual([
      { at: '2026-11-20T00:00:00.000Z', p50Ms: 80, p95Ms: 900 },
      { at: '2026-11-21T00:00:00.000Z', p50Ms: null, p95Ms: null },
    ]);
    expect(dashboard.outcomes).toEqual([
      { at: '2026-11-20T00:00:00.000Z', success: 2, error: 0, other: 1 },
      { at: '2026-11-21T00:00:00.000Z', success: 0, error: 0, other: 0 },
    ]);
    expect(dashboard.peakHours.filter((hour) => hour.count > 0)).toEqual([{ hour: 14, count: 3 }]);
  });

  it("counts a duplicated event once in a user's dashboard, in the user's time zone", async () => {
    // Before the two events appended above: alice's product error was delivered twice.
    const dashboard = await dashboards.build({
      key: key('alice'),
      range: { from: at('2026-11-19T18:30:00Z'), to: at('2026-11-20T18:30:00Z') },
      interval: 'day',
      tz: 'Asia/Kolkata',
    });
    // 20 Nov in India: A1's start, the late 09:00:30 home and six activities.
    expect(dashboard.totals).toMatchObject({
      events: 8,
      activities: 7,
      sessions: 1,
      success: 6,
      errors: 1,
      successRate: 0.8571,
      errorRate: 0.1429,
      latencyP50Ms: 100,
      latencyP95Ms: 400,
    });
    expect(dashboard.activity).toEqual([{ at: '2026-11-19T18:30:00.000Z', count: 7 }]);
    // 09:00–09:42 UTC is 14:30–15:12 in India.
    expect(dashboard.peakHours.filter((hour) => hour.count > 0)).toEqual([
      { hour: 14, count: 4 },
      { hour: 15, count: 3 },
    ]);
  });
});
