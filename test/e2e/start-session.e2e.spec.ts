import Database from 'better-sqlite3';
import { join } from 'node:path';
import { AUTH, RunningApi, SEED_BODY, getJson, postJson, readJson, startApi } from '../support/api-app';
import { waitFor } from '../support/wait-for';

describe('POST /v1/sessions → GET /v1/journeys (embedded, over HTTP)', () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  function eventCount(): number {
    const db = new Database(join(api.dataDir, 'waymark.db'), { readonly: true });
    try {
      return db.prepare('SELECT count(*) FROM events').pluck().get() as number;
    } finally {
      db.close();
    }
  }

  async function journeyOf(identifier: string) {
    const query = new URLSearchParams({ product: 'my-product-tag', env: 'snd', tag: 'session-tag', identifier });
    const response = await getJson(`${api.baseUrl}/v1/journeys?${query}`);
    expect(response.status).toBe(200);
    return readJson(response);
  }

  it('starts the seed example and shows it in the journey within 2 seconds', async () => {
    const response = await postJson(`${api.baseUrl}/v1/sessions`, SEED_BODY, { ...AUTH, 'x-request-id': 'e2e-start-1' });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-request-id')).toBe('e2e-start-1');
    const body = await readJson(response);
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'refreshExpiresAt', 'refreshToken', 'sessionId', 'token']);
    expect(body.token).not.toContain('feekayo');
    expect(Buffer.from(body.token.split('.')[0], 'base64url').toString()).toContain('"alg":"dir"');
    expect(body.refreshToken).toMatch(new RegExp(`^wmr1\\.${body.sessionId}\\.`));

    const startedAt = Date.now();
    const journey = await waitFor(
      () => journeyOf('1919102009383'),
      (j) => j.events.some((e: { sessionId: string }) => e.sessionId === body.sessionId),
      2000,
    );
    expect(Date.now() - startedAt).toBeLessThan(2000);
    const started = journey.events.find((e: { sessionId: string }) => e.sessionId === body.sessionId);
    expect(started).toMatchObject({ type: 'SessionStarted', meta: { requestId: 'e2e-start-1', source: 'api' } });
    expect(started.data.expiresAt).toBe(body.expiresAt);
    expect(JSON.stringify(journey)).not.toContain('fikayo@ductape.app');
    expect(journey.sessions.map((s: { sessionId: string }) => s.sessionId)).toContain(body.sessionId);
  });

  it('keeps one user’s sessions in time order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await postJson(`${api.baseUrl}/v1/sessions`, { ...SEED_BODY, data: { userId: 'ordered-user', step: i } });
      ids.push((await readJson(response)).sessionId);
    }
    const journey = await waitFor(
      () => journeyOf('ordered-user'),
      (j) => j.events.length === 3,
    );
    expect(journey.sessions.map((s: { sessionId: string }) => s.sessionId)).toEqual(ids);
  });

  it('acknowledges concurrent starts only once each is durable in the log', async () => {
    const before = eventCount();
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => postJson(`${api.baseUrl}/v1/sessions`, { ...SEED_BODY, data: { userId: `burst-${i}` } })),
    );
    expect(responses.every((response) => response.status === 201)).toBe(true);
    expect(eventCount()).toBe(before + 40);
  });

  const big = JSON.stringify({ ...SEED_BODY, data: { userId: 'u', blob: 'a'.repeat(2 * 1024 * 1024) } });
  const badRequests: Array<[string, string, number, string, string]> = [
    ['a body that is not JSON', 'this is not json', 400, 'INVALID_REQUEST', 'body'],
    ['a JSON array', '[]', 400, 'INVALID_REQUEST', 'body'],
    ['a missing product', JSON.stringify({ ...SEED_BODY, product: undefined }), 400, 'INVALID_REQUEST', 'product'],
    ['a wrong-typed env', JSON.stringify({ ...SEED_BODY, env: 7 }), 400, 'INVALID_REQUEST', 'env'],
    ['data that is a string', JSON.stringify({ ...SEED_BODY, data: 'x' }), 400, 'INVALID_REQUEST', 'data'],
    ['an unexpected field', JSON.stringify({ ...SEED_BODY, extra: 1 }), 400, 'INVALID_REQUEST', 'extra'],
    ['an unknown product', JSON.stringify({ ...SEED_BODY, product: 'nope' }), 422, 'PRODUCT_NOT_FOUND', 'product'],
    ['an unknown env', JSON.stringify({ ...SEED_BODY, env: 'moon' }), 422, 'ENV_NOT_FOUND', 'env'],
    ['an unknown tag', JSON.stringify({ ...SEED_BODY, tag: 'nope' }), 422, 'SESSION_SPEC_NOT_FOUND', 'tag'],
    ['data without the identifier', JSON.stringify({ ...SEED_BODY, data: { details: {} } }), 422, 'IDENTIFIER_MISSING', 'data.userId'],
    ['an object as identifier', JSON.stringify({ ...SEED_BODY, data: { userId: { id: 1 } } }), 422, 'IDENTIFIER_MISSING', 'data.userId'],
    ['data over 16 KiB', JSON.stringify({ ...SEED_BODY, data: { userId: 'u', blob: 'a'.repeat(20_000) } }), 400, 'INVALID_REQUEST', 'data'],
    ['a 2 MB body', big, 413, 'BODY_TOO_LARGE', 'body'],
  ];

  it.each(badRequests)('refuses %s with problem+json naming the field, and appends nothing', async (_case, body, status, code, field) => {
    const before = eventCount();
    const response = await postJson(`${api.baseUrl}/v1/sessions`, body);

    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = await readJson(response);
    expect(problem).toMatchObject({ status, code, type: expect.stringMatching(/^urn:waymark:problem:/), instance: '/v1/sessions' });
    expect(problem.errors.map((error: { field: string }) => error.field)).toContain(field);
    expect(eventCount()).toBe(before);
  });

  it('refuses a journey query without an identifier or for an unknown env', async () => {
    const missing = await getJson(`${api.baseUrl}/v1/journeys?product=my-product-tag&env=snd&tag=session-tag`);
    expect(missing.status).toBe(400);
    expect((await readJson(missing)).errors[0].field).toBe('identifier');

    const unknown = await getJson(`${api.baseUrl}/v1/journeys?product=my-product-tag&env=moon&tag=session-tag&identifier=u`);
    expect(unknown.status).toBe(422);
    expect((await readJson(unknown)).code).toBe('ENV_NOT_FOUND');
  });

  it('answers unknown routes as problem+json', async () => {
    const response = await getJson(`${api.baseUrl}/v1/nothing-here`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
