import { DEFAULT_QUERY_LIMITS, PathShape, PathsRepository } from '@waymark/read-model';
import { UsersDrillReader } from '../../apps/api/src/analytics/drill/users-drill.reader';
import { AnalyticsFixture, at, openAnalyticsFixture } from '../support/analytics-dataset';

const scope = { product: 'my-product-tag', envs: ['snd', 'prd'], tag: 'session-tag' };
const RANGE = { from: at('2026-11-20T00:00:00Z'), to: at('2026-11-23T00:00:00Z') };

/**
 * A Sankey node's users (the by-step drill with a depth) against the paths answer, over
 * the hand-built dataset (test/support/analytics-dataset.ts). Its steps sit at several
 * depths: home at 1 (alice twice, bob, dave) and 3 (bob's home → search → home); search
 * at 1 (carol) and 2 (alice, bob); pay at 2 (alice, dave) and 5 (alice). Alice makes
 * two visits through 1_home, so a node's visits and users differ there.
 */
describe('analytics: the users behind a paths node (chDB)', () => {
  let fixture: AnalyticsFixture;
  let paths: PathsRepository;
  let drill: UsersDrillReader;

  beforeAll(async () => {
    fixture = await openAnalyticsFixture();
    paths = new PathsRepository(fixture.clickhouse, DEFAULT_QUERY_LIMITS);
    drill = new UsersDrillReader(fixture.clickhouse, DEFAULT_QUERY_LIMITS);
  });

  afterAll(async () => {
    await fixture.close();
  });

  const shapes: Array<[string, PathShape]> = [
    ['from each visit start', { scope, range: RANGE, steps: 5, visitGapMinutes: 30 }],
    ['after home', { scope, range: RANGE, anchor: { step: 'home', direction: 'after' }, steps: 5, visitGapMinutes: 30 }],
    ['before pay, 3 steps', { scope, range: RANGE, anchor: { step: 'pay', direction: 'before' }, steps: 3, visitGapMinutes: 30 }],
    ['one-hour visits', { scope, range: RANGE, steps: 4, visitGapMinutes: 60 }],
  ];

  it.each(shapes)('answers as many users as each node counts at depths 1..3, %s', async (_, shape) => {
    const answer = await paths.build({ ...shape, edges: 50 });
    const shallow = answer.nodes.filter((node) => node.depth <= 3);
    expect(shallow.length).toBeGreaterThan(2);
    for (const node of shallow) {
      const users = await drill.atPathNode(shape, node.step, node.depth, 100);
      expect([node.id, users.total]).toEqual([node.id, node.users]);
      expect(users.users).toHaveLength(node.users);
    }
  });

  it('tells a step at one depth from the same step elsewhere in the range', async () => {
    const shape: PathShape = { scope, range: RANGE, steps: 5, visitGapMinutes: 30 };
    const answer = await paths.build({ ...shape, edges: 50 });
    const users = async (step: string, depth: number) => (await drill.atPathNode(shape, step, depth, 100)).users.map((user) => user.identifier).sort();

    // 3_home: only bob came back home at depth 3; home anywhere is alice, bob and dave.
    expect(answer.nodes.find((node) => node.id === '3_home')).toMatchObject({ visits: 1, users: 1 });
    expect(await users('home', 3)).toEqual(['bob']);
    expect((await drill.withStep(scope, RANGE, 'home', 100)).total).toBe(3);
    // 2_search: alice and bob; carol's search opened her visit (1_search).
    expect(await users('search', 2)).toEqual(['alice', 'bob']);
    expect(await users('search', 1)).toEqual(['carol']);
    expect((await drill.withStep(scope, RANGE, 'search', 100)).total).toBe(3);
    // 5_pay: alice's second visit; 2_pay: alice's first and dave.
    expect(await users('pay', 5)).toEqual(['alice']);
    expect(await users('pay', 2)).toEqual(['alice', 'dave']);
    // 1_home: four visits, three users (alice twice).
    expect(answer.nodes.find((node) => node.id === '1_home')).toMatchObject({ visits: 4, users: 3 });
    expect(await users('home', 1)).toEqual(['alice', 'bob', 'dave']);
    // A step at a depth no path reaches, or not at that depth: nobody.
    expect(await drill.atPathNode(shape, 'checkout', 2, 100)).toEqual({ total: 0, users: [] });
  });

  it('right-aligns paths before an anchor: the anchor is at depth `steps`', async () => {
    const shape: PathShape = { scope, range: RANGE, anchor: { step: 'pay', direction: 'before' }, steps: 3, visitGapMinutes: 30 };
    const ids = async (step: string, depth: number) => (await drill.atPathNode(shape, step, depth, 100)).users.map((user) => user.identifier).sort();
    expect(await ids('pay', 3)).toEqual(['alice', 'dave']);
    expect(await ids('home', 2)).toEqual(['dave']);
    expect(await ids('checkout', 2)).toEqual(['alice']);
    expect(await ids('cart', 1)).toEqual(['alice']);
    expect(await ids('pay', 1)).toEqual([]);
  });

  it('keeps the total when the limit cuts the list, latest first, with the last record of the step', async () => {
    const shape: PathShape = { scope, range: RANGE, steps: 5, visitGapMinutes: 30 };
    const one = await drill.atPathNode(shape, 'home', 1, 1);
    expect(one).toEqual({ total: 3, users: [{ identifier: 'dave', env: 'prd', lastAt: '2026-11-22T20:01:00.000Z' }] });
    const all = await drill.atPathNode(shape, 'home', 1, 100);
    expect(all.users.map((user) => [user.identifier, user.lastAt])).toEqual([
      ['dave', '2026-11-22T20:01:00.000Z'],
      ['alice', '2026-11-22T10:01:00.000Z'],
      ['bob', '2026-11-20T14:03:00.000Z'],
    ]);
  });
});
