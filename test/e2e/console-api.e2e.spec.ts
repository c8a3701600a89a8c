import { AUTH, RunningApi, SEED_BODY, TEST_KEY, postJson, readJson, startApi } from '../support/api-app';
import { EXPECTED, SCOPE, seedConsoleDataset } from '../support/console/dataset';
import { waitFor } from '../support/wait-for';

/**
 * The two reads the console needs beside the analytics endpoints: what a key may see
 * (for its pickers), the live feed (server-sent events, scoped like every read), and the
 * users behind a paths node or a funnel's drop-off.
 */
describe('console API: scope and live', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api.close());

  it('lists the products, envs and tags the key may read, names only', async () => {
    const response = await fetch(`${api.baseUrl}/v1/analytics/scope`, { headers: AUTH });
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body.openDevelopment).toBe(false);
    const product = body.products.find((candidate: { product: string }) => candidate.product === 'my-product-tag');
    expect(product.envs).toEqual(expect.arrayContaining(['snd', 'prd']));
    expect(product.tags).toContainEqual({ tag: 'session-tag', name: expect.any(String) });
    expect(JSON.stringify(body)).not.toContain('selector');
  });

  it('refuses a wrong key (401 problem+json) and unknown parameters (400)', async () => {
    const wrong = await fetch(`${api.baseUrl}/v1/analytics/scope`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await fetch(`${api.baseUrl}/v1/analytics/scope?x=1`, { headers: AUTH })).status).toBe(400);
  });

  it('streams an event started after the stream opened, and answers JSON once to a client not asking for a stream', async () => {
    const abort = new AbortController();
    const stream = await fetch(`${api.baseUrl}/v1/analytics/live?product=my-product-tag&tag=session-tag&env=snd&identifier=live-user`, {
      headers: { ...AUTH, accept: 'text/event-stream' },
      signal: abort.signal,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    const started = await postJson(`${api.baseUrl}/v1/sessions`, { ...SEED_BODY, data: { userId: 'live-user' } });
    expect(started.status).toBe(201);
    let text = '';
    const deadline = Date.now() + 15_000;
    while (!text.includes('"SessionStarted"') && Date.now() < deadline) text += (await reader.read()).value ?? '';
    abort.abort();
    expect(text).toMatch(/^event: ready\n/);
    const batch = JSON.parse(/event: events\ndata: (.*)\n/.exec(text)![1]);
    expect(batch).toEqual([expect.objectContaining({ type: 'SessionStarted', identifier: 'live-user', env: 'snd' })]);

    const once = await fetch(`${api.baseUrl}/v1/analytics/live?product=my-product-tag&tag=session-tag`, { headers: AUTH });
    expect(once.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await readJson(once)).events.map((event: { identifier: string }) => event.identifier)).toContain('live-user');
  });

  it('is scoped like every analytics read: identifier needs env, unknown products are 422', async () => {
    expect((await fetch(`${api.baseUrl}/v1/analytics/live?product=my-product-tag&tag=session-tag&identifier=x`, { headers: AUTH })).status).toBe(400);
    expect((await fetch(`${api.baseUrl}/v1/analytics/live?product=nope&tag=session-tag`, { headers: AUTH })).status).toBe(422);
  });
  describe('drill-downs over the hand-worked dataset', () => {
    const today = new Date();
    const range = {
      from: new Date(today.getTime() - 86_400_000).toISOString().slice(0, 10),
      to: new Date(today.getTime() + 86_400_000).toISOString().slice(0, 10),
    };
    const get = async (path: string, params: Record<string, string | number>) => {
      const response = await fetch(
        `${api.baseUrl}/v1/analytics/${path}?${new URLSearchParams(Object.entries({ ...SCOPE, ...range, ...params }).map(([k, v]): [string, string] => [k, String(v)]))}`,
        { headers: AUTH },
      );
      return { status: response.status, body: await readJson(response) };
    };
    const names = (body: { users: Array<{ identifier: string }> }) => body.users.map((user) => user.identifier).sort();

    beforeAll(async () => {
      await seedConsoleDataset(api.baseUrl, TEST_KEY);
      await waitFor(
        async () => (await get('dashboard', {})).body.activity?.total,
        (total) => total === EXPECTED.activities,
        20_000,
        200,
      );
    });

    it('lists the users with a step in the range', async () => {
      const { status, body } = await get('users/by-step', { step: 'pay' });
      expect(status).toBe(200);
      expect(body.total).toBe(2);
      expect(names(body)).toEqual(['alice', 'dave']);
      expect(body.users[0]).toEqual({ identifier: expect.any(String), env: expect.stringMatching(/^(snd|prd)$/), lastAt: expect.any(String) });
    });

    it("lists a paths node's users: those whose path has the step at that depth, as many as the node counts", async () => {
      // Paths from each visit's start: alice home>search>product>cart>pay, bob home>search>home, carol home>product>cart, dave home>pay.
      const paths = (await get('paths', { steps: 5 })).body;
      const nodes: Array<{ step: string; depth: number; users: number }> = paths.nodes;
      expect(nodes.filter((node) => node.depth <= 3).length).toBeGreaterThan(4);
      for (const node of nodes) {
        const { status, body } = await get('users/by-step', { step: node.step, depth: node.depth, steps: 5 });
        expect(status).toBe(200);
        expect([node.step, node.depth, body.total]).toEqual([node.step, node.depth, node.users]);
      }
      expect(names((await get('users/by-step', { step: 'home', depth: 3 })).body)).toEqual(['bob']);
      expect(names((await get('users/by-step', { step: 'pay', depth: 2 })).body)).toEqual(['dave']);
      expect(names((await get('users/by-step', { step: 'pay', depth: 5 })).body)).toEqual(['alice']);
      // After an anchor, and leading up to one (right-aligned: pay at depth `steps`).
      expect(names((await get('users/by-step', { step: 'search', depth: 2, start: 'home' })).body)).toEqual(['alice', 'bob']);
      expect(names((await get('users/by-step', { step: 'cart', depth: 2, end: 'pay', steps: 3 })).body)).toEqual(['alice']);
      expect(names((await get('users/by-step', { step: 'home', depth: 2, end: 'pay', steps: 3 })).body)).toEqual(['dave']);
      // The total stays when the limit cuts the list.
      const cut = (await get('users/by-step', { step: 'home', depth: 1, limit: 1 })).body;
      expect([cut.total, cut.users.length]).toEqual([4, 1]);
    });

    it('lists the users whose furthest funnel step is the one asked, matching the funnel', async () => {
      const steps = EXPECTED.funnel.steps.join(',');
      const funnel = (await get('funnel', { steps, window: 86400 })).body;
      const atLevel = await Promise.all([1, 2, 3].map(async (reached) => (await get('funnel/users', { steps, window: 86400, reached })).body));
      expect(atLevel.map(names)).toEqual([['bob', 'dave'], ['carol'], ['alice']]);
      // Dropped off after step k = reached exactly k: the funnel's own drop-off counts.
      expect(atLevel.slice(0, 2).map((body) => body.total)).toEqual(funnel.steps.slice(1).map((step: { dropOff: number }) => step.dropOff));
    });

    it('lists the activity names of the range, most frequent first', async () => {
      const { status, body } = await get('steps', {});
      expect(status).toBe(200);
      expect(body.steps.map((row: { step: string }) => row.step)).toEqual(['home', 'cart', 'pay', 'product', 'search']);
      expect(body.steps[0]).toEqual({ step: 'home', records: 5 });
    });

    it('refuses what it cannot answer: a missing step, reached out of range', async () => {
      expect((await get('users/by-step', {})).status).toBe(400);
      expect((await get('funnel/users', { steps: 'home,cart', reached: 0 })).status).toBe(400);
      expect((await get('users/by-step', { step: 'pay', limit: 101 })).status).toBe(400);
      expect((await get('users/by-step', { step: 'pay', start: 'home' })).status).toBe(400);
      expect((await get('users/by-step', { step: 'pay', depth: 2, start: 'home', end: 'pay' })).status).toBe(400);
      expect((await get('users/by-step', { step: 'pay', depth: 6, steps: 5 })).status).toBe(400);
    });
  });
});
