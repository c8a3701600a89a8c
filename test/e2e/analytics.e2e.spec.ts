import { mintApiKey } from '@waymark/tokens';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUTH, RunningApi, getJson, postJson, readJson, startApi } from '../support/api-app';
import { makeTempDir } from '../support/temp-dir';
import { waitFor } from '../support/wait-for';

const secret = mintApiKey();
const read = mintApiKey();
const readSnd = mintApiKey();
const readAdmin = mintApiKey();
const other = mintApiKey();

const config = {
  products: [
    { tag: 'my-product-tag', name: 'My product', envs: ['snd', 'prd'], sessions: [{ tag: 'session-tag', name: 'Default', selector: 'userId' }] },
    { tag: 'other-product', name: 'Other', envs: ['snd'], sessions: [] },
  ],
  apiKeys: [
    { id: secret.id, name: 'backend', product: 'my-product-tag', envs: ['*'], roles: ['secret'], secretHash: secret.secretHash },
    { id: read.id, name: 'analyst', product: 'my-product-tag', envs: ['*'], roles: ['read'], secretHash: read.secretHash },
    { id: readSnd.id, name: 'sandbox analyst', product: 'my-product-tag', envs: ['snd'], roles: ['read'], secretHash: readSnd.secretHash },
    { id: readAdmin.id, name: 'support', product: 'my-product-tag', envs: ['*'], roles: ['read', 'admin'], secretHash: readAdmin.secretHash },
    { id: other.id, name: 'other', product: 'other-product', envs: ['snd'], roles: ['read'], secretHash: other.secretHash },
  ],
};

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const scope = { product: 'my-product-tag', tag: 'session-tag' };
const aliceData = { userId: 'alice', details: { email: 'alice@example.com' } };

/** The analytics endpoints over HTTP: keys, scope, validation, and one real answer each. */
describe('GET /v1/analytics/* (embedded, over HTTP)', () => {
  const configDir = makeTempDir('analytics-config');
  let api: RunningApi;

  const url = (path: string, params: Record<string, string | number>) =>
    `${api.baseUrl}/v1/analytics/${path}?${new URLSearchParams(Object.entries(params).map(([name, value]): [string, string] => [name, String(value)]))}`;
  const get = async (path: string, params: Record<string, string | number>, key = read.key) => {
    const response = await getJson(url(path, params), bearer(key));
    return { status: response.status, body: await readJson(response) };
  };

  async function start(env: string, data: Record<string, unknown>): Promise<string> {
    const response = await postJson(`${api.baseUrl}/v1/sessions`, { ...scope, env, data }, bearer(secret.key));
    expect(response.status).toBe(201);
    return (await readJson(response)).token;
  }

  beforeAll(async () => {
    const file = join(configDir.path, 'waymark.config.json');
    writeFileSync(file, JSON.stringify(config));
    api = await startApi({ WAYMARK_CONFIG: file });
    const token = await start('snd', aliceData);
    const records = [
      { name: 'home', status: 'success', latencyMs: 20, processId: 'web-1' },
      { name: 'cart', status: 'success', latencyMs: 40, processId: 'web-1' },
      { name: 'pay', status: 'error', latencyMs: 300, processId: 'web-2' },
    ];
    const activity = await postJson(`${api.baseUrl}/v1/sessions/activity`, { ...scope, env: 'snd', token, records }, bearer(secret.key));
    expect(activity.status).toBe(201);
    await start('prd', { userId: 'bob' });
    await waitFor(
      () => get('users', { ...scope }),
      (answer) => answer.body.total === 2,
    );
    await waitFor(
      () => get('users/journey', { ...scope, env: 'snd', identifier: 'alice' }),
      (answer) => answer.body.items?.length === 4,
    );
  });

  afterAll(async () => {
    await api.close();
    configDir.remove();
  });

  it('lists users within the key’s envs: all of them, or only sandbox for a sandbox key', async () => {
    const all = await get('users', { ...scope, sort: 'identifier', order: 'asc' });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 2, page: 1, pageSize: 20 });
    expect(all.body.users.map((user: { identifier: string; env: string; status: string }) => [user.identifier, user.env, user.status])).toEqual([
      ['alice', 'snd', 'active'],
      ['bob', 'prd', 'active'],
    ]);
    const sandbox = await get('users', { ...scope }, readSnd.key);
    expect(sandbox.body.users.map((user: { identifier: string }) => user.identifier)).toEqual(['alice']);
  });

  it('refuses without a key (401), with a key lacking the read role, for another product or an env outside the key (403)', async () => {
    expect((await getJson(url('dashboard', scope), {})).status).toBe(401);
    expect((await get('dashboard', scope, secret.key)).status).toBe(403);
    const otherProduct = await get('dashboard', scope, other.key);
    expect(otherProduct.status).toBe(403);
    expect(otherProduct.body.errors[0].field).toBe('product');
    const outsideEnv = await get('users/profile', { ...scope, env: 'prd', identifier: 'bob' }, readSnd.key);
    expect(outsideEnv.status).toBe(403);
    expect(outsideEnv.body.errors[0].field).toBe('env');
  });

  it.each([
    ['users', { ...scope, tz: 'Mars/Olympus' }, 'tz'],
    ['users', { product: 'my-product-tag' }, 'tag'],
    ['users', { ...scope, status: 'sleeping' }, 'status'],
    ['users', { ...scope, pageSize: 1000 }, 'pageSize'],
    ['users', { ...scope, sql: 'DROP TABLE events' }, 'sql'],
    ['users/profile', { ...scope, env: 'snd' }, 'identifier'],
    ['users/journey', { ...scope, env: 'snd', identifier: 'alice', cursor: 'not-a-cursor' }, 'cursor'],
    ['users/journey', { ...scope, env: 'snd', identifier: 'alice', from: 'yesterday' }, 'from'],
    ['users/dashboard', { ...scope, env: 'snd', identifier: 'alice', from: '2026-01-01', to: '2026-03-01', interval: 'hour' }, 'interval'],
    ['dashboard', { ...scope, from: '2026-03-02', to: '2026-03-01' }, 'from'],
    ['paths', { ...scope, start: 'home', end: 'pay' }, 'end'],
    ['paths', { ...scope, steps: 50 }, 'steps'],
    ['funnel', { ...scope, steps: 'home' }, 'steps'],
    ['funnel', { ...scope, steps: 'home,pay', window: 0 }, 'window'],
    ['retention', { ...scope, days: 40 }, 'days'],
  ])('GET %s with %j answers 400 naming %s', async (path, params, field) => {
    const answer = await get(path, params);
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('INVALID_REQUEST');
    expect(answer.body.errors.map((error: { field: string }) => error.field)).toContain(field);
  });

  it('answers 422 for an env the product does not have and 404 for a user with no sessions', async () => {
    const env = await get('dashboard', { ...scope, env: 'moon' });
    expect(env.status).toBe(422);
    expect(env.body.code).toBe('ENV_NOT_FOUND');
    const nobody = await get('users/profile', { ...scope, env: 'snd', identifier: "alice' OR 1=1 --" });
    expect(nobody.status).toBe(404);
    expect(nobody.body.errors[0].field).toBe('identifier');
  });

  it('shows decrypted session data only to keys with the admin role', async () => {
    const analyst = await get('users/profile', { ...scope, env: 'snd', identifier: 'alice' });
    expect(analyst.status).toBe(200);
    expect(analyst.body).toMatchObject({ identifier: 'alice', env: 'snd', status: 'active', sessionCount: 1, data: null, dataRedacted: true });
    expect(analyst.body.sessions[0]).toMatchObject({ active: true, eventCount: 4 });
    expect(JSON.stringify(analyst.body)).not.toContain('alice@example.com');
    const support = await get('users/profile', { ...scope, env: 'snd', identifier: 'alice' }, readAdmin.key);
    expect(support.body).toMatchObject({ data: aliceData, dataRedacted: false });
    const bootstrap = await getJson(url('users/profile', { ...scope, env: 'snd', identifier: 'alice' }), AUTH);
    expect((await readJson(bootstrap)).data).toEqual(aliceData);
  });

  it('pages a journey by cursor and filters it', async () => {
    const first = await get('users/journey', { ...scope, env: 'snd', identifier: 'alice', limit: 3 });
    expect(first.body.items.map((item: { type: string; name?: string }) => item.name ?? item.type)).toEqual(['SessionStarted', 'home', 'cart']);
    expect(typeof first.body.nextCursor).toBe('string');
    const second = await get('users/journey', { ...scope, env: 'snd', identifier: 'alice', limit: 3, cursor: first.body.nextCursor });
    expect(second.body.items.map((item: { name: string }) => item.name)).toEqual(['pay']);
    expect(second.body.nextCursor).toBeNull();
    const errors = await get('users/journey', { ...scope, env: 'snd', identifier: 'alice', status: 'error', processId: 'web-2' });
    expect(errors.body.items).toEqual([expect.objectContaining({ name: 'pay', status: 'error', latencyMs: 300, processId: 'web-2' })]);
  });

  it("answers a user's dashboard", async () => {
    const dashboard = await get('users/dashboard', { ...scope, env: 'snd', identifier: 'alice', tz: 'Europe/Berlin' });
    expect(dashboard.status).toBe(200);
    expect(dashboard.body.totals).toMatchObject({ events: 4, activities: 3, sessions: 1, success: 2, errors: 1, successRate: 0.6667, errorRate: 0.3333 });
    // Seven days back from now touch eight calendar days in Berlin (the first and last partly).
    expect(dashboard.body.activity).toHaveLength(8);
    expect(dashboard.body.activity[7].count).toBe(3);
    expect(dashboard.body.peakHours).toHaveLength(24);
  });

  it('answers the tag dashboard', async () => {
    const dashboard = await get('dashboard', { ...scope, tz: 'America/New_York', interval: 'day' });
    expect(dashboard.status).toBe(200);
    expect(dashboard.body.users).toMatchObject({ total: 2, active: 2, inactive: 0, expired: 0, newThisWeek: 2 });
    expect(dashboard.body.sessions).toMatchObject({ inRange: 2, active: 2, averagePerUser: 1 });
    expect(dashboard.body.activity).toMatchObject({ total: 3, success: 2, errors: 1 });
    expect(dashboard.body.envs.map((env: { env: string; users: number }) => [env.env, env.users])).toEqual([
      ['prd', 1],
      ['snd', 1],
    ]);
    expect(dashboard.body.lifecycle.reduce((sum: number, bucket: { start: number }) => sum + bucket.start, 0)).toBe(2);
  });

  it('answers paths, funnels and retention', async () => {
    const paths = await get('paths', { ...scope, start: 'home' });
    expect(paths.status).toBe(200);
    expect(paths.body).toMatchObject({
      visits: 1,
      edges: [
        { source: '1_home', target: '2_cart', visits: 1 },
        { source: '2_cart', target: '3_pay', visits: 1 },
      ],
    });
    const funnel = await get('funnel', { ...scope, steps: 'home,cart,pay', window: 600 });
    expect(funnel.status).toBe(200);
    expect(funnel.body.steps.map((step: { users: number }) => step.users)).toEqual([1, 1, 1]);
    const retention = await get('retention', { ...scope, days: 3 });
    expect(retention.status).toBe(200);
    expect(retention.body.cohorts).toHaveLength(1);
    expect(retention.body.cohorts[0]).toMatchObject({ users: 2, returned: [2, null, null, null] });
  });
});
