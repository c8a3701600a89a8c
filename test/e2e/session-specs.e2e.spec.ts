import { AUTH, RunningApi, SEED_BODY, getJson, postJson, readJson, startApi } from '../support/api-app';
import { makeTempDir } from '../support/temp-dir';

const specsUrl = (api: RunningApi, tag = '') => `${api.baseUrl}/v1/products/my-product-tag/session-specs${tag ? `/${tag}` : ''}`;

function send(method: 'PUT' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method,
    headers: { ...AUTH, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
}

const checkout = {
  tag: 'checkout',
  name: 'Checkout',
  description: 'From cart to payment',
  selector: 'customer.email',
  expiry: { value: 10, unit: 'minutes' },
  refreshExpiry: { value: 1, unit: 'days' },
  schema: { 'customer.email': { type: 'string', required: true }, cartSize: { type: 'number' } },
};

describe('session specs: admin endpoints, events, and issued tokens', () => {
  const data = makeTempDir('specs');
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi({ DATA_DIR: data.path });
  });

  afterAll(async () => {
    await api.close();
    data.remove();
  });

  it('lists the spec seeded from the config file', async () => {
    const body = await readJson(await getJson(specsUrl(api)));
    expect(body.specs.map((entry: { spec: { tag: string } }) => entry.spec.tag)).toEqual(['session-tag']);
  });

  it('creates a spec, which then governs new sessions (selector, lifetimes, schema)', async () => {
    const created = await postJson(specsUrl(api), checkout);
    expect(created.status).toBe(201);
    expect(await readJson(created)).toEqual({ product: 'my-product-tag', revision: 1, spec: checkout });

    const duplicate = await postJson(specsUrl(api), checkout);
    expect(duplicate.status).toBe(409);

    const refused = await postJson(`${api.baseUrl}/v1/sessions`, { ...SEED_BODY, tag: 'checkout', data: { customer: { email: 'a@b.c' }, cartSize: 'many' } });
    expect(refused.status).toBe(422);
    expect((await readJson(refused)).errors).toEqual([{ field: 'data.cartSize', message: 'data.cartSize must be of type number' }]);

    const started = await readJson(
      await postJson(`${api.baseUrl}/v1/sessions`, { ...SEED_BODY, tag: 'checkout', data: { customer: { email: 'a@b.c' }, cartSize: 2 } }),
    );
    const lifetime = Date.parse(started.expiresAt) - Date.now();
    expect(lifetime).toBeGreaterThan(9 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(10 * 60_000);
  });

  it('refuses an invalid spec naming the field', async () => {
    const response = await postJson(specsUrl(api), { ...checkout, tag: 'bad', selector: 'a..b', expiry: { value: 1, unit: 'fortnights' } });
    expect(response.status).toBe(400);
    expect((await readJson(response)).errors.map((error: { field: string }) => error.field).sort()).toEqual(['expiry.unit', 'selector']);
  });

  it('updates with If-Match, refusing a stale revision', async () => {
    const stale = await send('PUT', specsUrl(api, 'checkout'), { ...checkout, name: 'Stale' }, { 'if-match': '"7"' });
    expect(stale.status).toBe(409);
    const updated = await send('PUT', specsUrl(api, 'checkout'), { ...checkout, tag: undefined, name: 'Checkout v2' }, { 'if-match': '"1"' });
    expect(updated.status).toBe(200);
    expect(await readJson(updated)).toMatchObject({ revision: 2, spec: { tag: 'checkout', name: 'Checkout v2' } });
    const renamed = await send('PUT', specsUrl(api, 'checkout'), { ...checkout, tag: 'renamed' });
    expect(renamed.status).toBe(400);
  });

  it('deleting a spec stops new sessions but never breaks tokens already issued', async () => {
    const session = await readJson(await postJson(`${api.baseUrl}/v1/sessions`, { ...SEED_BODY, tag: 'checkout', data: { customer: { email: 'keep@b.c' } } }));
    const deleted = await send('DELETE', specsUrl(api, 'checkout'));
    expect(deleted.status).toBe(200);
    expect(await readJson(deleted)).toEqual({ product: 'my-product-tag', tag: 'checkout', revision: 3, deleted: true });
    expect((await getJson(specsUrl(api, 'checkout'))).status).toBe(404);

    const start = await postJson(`${api.baseUrl}/v1/sessions`, { ...SEED_BODY, tag: 'checkout', data: { customer: { email: 'new@b.c' } } });
    expect(start.status).toBe(422);
    expect((await readJson(start)).code).toBe('SESSION_SPEC_NOT_FOUND');

    const scope = { product: 'my-product-tag', env: 'snd', tag: 'checkout' };
    const verify = await readJson(await postJson(`${api.baseUrl}/v1/sessions/verify`, { ...scope, token: session.token }));
    expect(verify).toMatchObject({ valid: true, identifier: 'keep@b.c' });
    const refresh = await postJson(`${api.baseUrl}/v1/sessions/refresh`, { ...scope, refreshToken: session.refreshToken });
    expect(refresh.status).toBe(200);
    const activity = await postJson(`${api.baseUrl}/v1/sessions/activity`, { ...scope, token: session.token, record: { name: 'pay' } });
    expect(activity.status).toBe(201);
  });

  it('keeps specs across a restart, and the config file does not resurrect a deleted one', async () => {
    expect((await send('DELETE', specsUrl(api, 'session-tag'))).status).toBe(200);
    await api.app.close();
    api = await startApi({ DATA_DIR: data.path });
    const body = await readJson(await getJson(specsUrl(api)));
    expect(body.specs).toEqual([]);
    expect((await getJson(specsUrl(api, 'checkout'))).status).toBe(404);
    // Redefining a deleted tag continues its revisions.
    expect(await readJson(await postJson(specsUrl(api), checkout))).toMatchObject({ revision: 4 });
  });
});
