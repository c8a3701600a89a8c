import { AUTH, RunningApi, SEED_BODY, postJson, readJson, startApi } from '../support/api-app';

/**
 * The two reads the console needs beside the analytics endpoints: what a key may see
 * (for its pickers) and the live feed (server-sent events, scoped like every read).
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
    const stream = await fetch(`${api.baseUrl}/v1/analytics/live?product=my-product-tag&tag=session-tag&env=snd&identifier=live-user`, { headers: { ...AUTH, accept: 'text/event-stream' }, signal: abort.signal });
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
});
