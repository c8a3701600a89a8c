import { mintApiKey } from '@waymark/tokens';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunningApi, SEED_BODY, getJson, postJson, readJson, startApi } from '../support/api-app';
import { makeTempDir } from '../support/temp-dir';

const secret = mintApiKey();
const read = mintApiKey();
const admin = mintApiKey();
const otherProduct = mintApiKey();
const limited = mintApiKey();
const prdOnly = mintApiKey();

const config = {
  products: [
    { tag: 'my-product-tag', name: 'My product', envs: ['snd', 'prd'], sessions: [{ tag: 'session-tag', name: 'Default', selector: 'userId' }] },
    { tag: 'other-product', name: 'Other', envs: ['snd'], sessions: [] },
  ],
  apiKeys: [
    { id: secret.id, name: 'backend', product: 'my-product-tag', envs: ['*'], roles: ['secret'], secretHash: secret.secretHash },
    { id: read.id, name: 'analyst', product: 'my-product-tag', envs: ['*'], roles: ['read'], secretHash: read.secretHash },
    { id: admin.id, name: 'ops', product: 'my-product-tag', envs: ['*'], roles: ['admin'], secretHash: admin.secretHash },
    { id: otherProduct.id, name: 'other', product: 'other-product', envs: ['snd'], roles: ['secret', 'read'], secretHash: otherProduct.secretHash },
    {
      id: limited.id,
      name: 'limited',
      product: 'my-product-tag',
      envs: ['snd'],
      roles: ['secret'],
      secretHash: limited.secretHash,
      rateLimit: { perSecond: 2, burst: 3 },
    },
    { id: prdOnly.id, name: 'prd only', product: 'my-product-tag', envs: ['prd'], roles: ['secret'], secretHash: prdOnly.secretHash },
  ],
};

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('API keys: authentication, roles, scope and rate limit', () => {
  const configDir = makeTempDir('keys-config');
  let api: RunningApi;

  beforeAll(async () => {
    const file = join(configDir.path, 'waymark.config.json');
    writeFileSync(file, JSON.stringify(config));
    api = await startApi({ WAYMARK_CONFIG: file });
  });

  afterAll(async () => {
    await api.close();
    configDir.remove();
  });

  const sessions = () => `${api.baseUrl}/v1/sessions`;
  const journey = () => `${api.baseUrl}/v1/journeys?product=my-product-tag&env=snd&tag=session-tag&identifier=u`;

  it('answers 401 with WWW-Authenticate without a key or with a wrong one', async () => {
    for (const headers of [{}, bearer('wmk_abcdefabcdef_' + 'A'.repeat(43)), bearer(secret.key.slice(0, -1) + 'x'), { authorization: 'Basic abc' }]) {
      const response = await postJson(sessions(), SEED_BODY, headers);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
      expect((await readJson(response)).code).toBe('UNAUTHORIZED');
    }
  });

  it("lets a secret or an admin key read a session's lineage, not a read key (a route that takes alternative roles)", async () => {
    const started = await readJson(await postJson(sessions(), SEED_BODY, bearer(secret.key)));
    const lineage = `${sessions()}/${started.sessionId}/lineage?product=my-product-tag&env=snd&tag=session-tag`;
    for (const key of [secret.key, admin.key]) expect((await getJson(lineage, bearer(key))).status).toBe(200);
    const refused = await getJson(lineage, bearer(read.key));
    expect(refused.status).toBe(403);
    expect(await readJson(refused)).toMatchObject({ code: 'FORBIDDEN', detail: expect.stringContaining("'secret' or 'admin'") });
  });

  it('lets a secret key start sessions but not read journeys or manage specs', async () => {
    expect((await postJson(sessions(), SEED_BODY, bearer(secret.key))).status).toBe(201);
    const journeyResponse = await getJson(journey(), bearer(secret.key));
    expect(journeyResponse.status).toBe(403);
    expect((await readJson(journeyResponse)).code).toBe('FORBIDDEN');
    expect((await getJson(`${api.baseUrl}/v1/products/my-product-tag/session-specs`, bearer(secret.key))).status).toBe(403);
  });

  it('lets a read key read journeys but not start a session', async () => {
    expect((await getJson(journey(), bearer(read.key))).status).toBe(200);
    const start = await postJson(sessions(), SEED_BODY, bearer(read.key));
    expect(start.status).toBe(403);
    expect((await readJson(start)).detail).toContain("'secret' role");
  });

  it('lets an admin key manage specs only', async () => {
    expect((await getJson(`${api.baseUrl}/v1/products/my-product-tag/session-specs`, bearer(admin.key))).status).toBe(200);
    expect((await postJson(sessions(), SEED_BODY, bearer(admin.key))).status).toBe(403);
  });

  it('keeps a key inside its product and envs, naming the field', async () => {
    const wrongProduct = await postJson(sessions(), SEED_BODY, bearer(otherProduct.key));
    expect(wrongProduct.status).toBe(403);
    expect((await readJson(wrongProduct)).errors).toEqual([{ field: 'product', message: "this API key is not allowed on product 'my-product-tag'" }]);
    const wrongEnv = await postJson(sessions(), SEED_BODY, bearer(prdOnly.key));
    expect(wrongEnv.status).toBe(403);
    expect((await readJson(wrongEnv)).errors[0].field).toBe('env');
    expect((await postJson(sessions(), { ...SEED_BODY, env: 'prd' }, bearer(prdOnly.key))).status).toBe(201);
  });

  it('answers 429 with Retry-After once a key spends its burst', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 6; i += 1) {
      const response = await postJson(sessions(), SEED_BODY, bearer(limited.key));
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter = response.headers.get('retry-after');
        expect((await readJson(response)).code).toBe('RATE_LIMITED');
      }
    }
    expect(statuses.slice(0, 3)).toEqual([201, 201, 201]);
    expect(statuses.slice(3)).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Other keys are not affected.
    expect((await postJson(sessions(), SEED_BODY, bearer(secret.key))).status).toBe(201);
  });

  it('refuses the bootstrap key in production at start-up', async () => {
    await expect(startApi({ NODE_ENV: 'production' })).rejects.toThrow('WAYMARK_BOOTSTRAP_KEY: refused when NODE_ENV=production');
  });
});

describe('open development mode (fresh clone: no keys configured)', () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi({ WAYMARK_BOOTSTRAP_KEY: '' });
  });

  afterAll(async () => {
    await api.close();
  });

  it('accepts a call without a key, but still checks a key that is sent', async () => {
    expect((await postJson(`${api.baseUrl}/v1/sessions`, SEED_BODY, {})).status).toBe(201);
    expect((await postJson(`${api.baseUrl}/v1/sessions`, SEED_BODY, bearer('wrong'))).status).toBe(401);
  });

  it('is never on in production: start-up refuses a config without keys', async () => {
    await expect(startApi({ WAYMARK_BOOTSTRAP_KEY: '', NODE_ENV: 'production' })).rejects.toThrow('has no apiKeys');
  });
});
