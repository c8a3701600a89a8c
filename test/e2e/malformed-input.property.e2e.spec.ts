import Database from 'better-sqlite3';
import fc from 'fast-check';
import { join } from 'node:path';
import { RunningApi, SEED_BODY, TEST_KEY, readJson, startApi } from '../support/api-app';

type Endpoint = { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; query?: boolean };

const ENDPOINTS: Endpoint[] = [
  { method: 'POST', path: '/v1/sessions' },
  { method: 'POST', path: '/v1/sessions/verify' },
  { method: 'POST', path: '/v1/sessions/refresh' },
  { method: 'POST', path: '/v1/sessions/revoke' },
  { method: 'POST', path: '/v1/sessions/extend' },
  { method: 'POST', path: '/v1/sessions/activity' },
  { method: 'GET', path: '/v1/sessions/active', query: true },
  { method: 'GET', path: '/v1/journeys', query: true },
  { method: 'POST', path: '/v1/products/my-product-tag/session-specs' },
  { method: 'PUT', path: '/v1/products/my-product-tag/session-specs/session-tag' },
  { method: 'DELETE', path: '/v1/products/my-product-tag/session-specs/nope' },
];

/** Values near the real ones are more likely to get past the first checks than pure noise. */
const nearValue = fc.oneof(
  fc.constantFrom('my-product-tag', 'snd', 'session-tag', '', ' ', '../', 'wmr1.x.y', '01a218e6-9252-7028-90b9-e2b6246988be', '𝕏'.repeat(70), 'a'.repeat(300)),
  fc.jsonValue(),
);
const fieldName = fc.constantFrom(
  'product',
  'env',
  'tag',
  'data',
  'token',
  'refreshToken',
  'sessionId',
  'identifier',
  'exceptSessionId',
  'by',
  'record',
  'records',
  'name',
  'selector',
  'expiry',
  'schema',
  '__proto__',
  'constructor',
);
const bodyObject = fc.dictionary(fieldName, nearValue, { maxKeys: 8 });
const nearlyValidStart = fc.record(
  { product: nearValue, env: nearValue, tag: nearValue, data: fc.oneof(fc.dictionary(fc.constantFrom('userId', 'details', 'x'), nearValue), nearValue) },
  { requiredKeys: [] },
);
const rawBody = fc.oneof(
  bodyObject.map((value) => JSON.stringify(value)),
  nearlyValidStart.map((value) => JSON.stringify(value)),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200 }),
  fc.constant('{"product":'),
  fc.constant(''),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/xml',
  undefined,
);
const authorization = fc.constantFrom(
  `Bearer ${TEST_KEY}`,
  `Bearer ${TEST_KEY}`,
  `Bearer ${TEST_KEY}`,
  'Bearer ',
  'Basic Zm9vOmJhcg==',
  `bearer ${TEST_KEY}`,
  'Bearer wmk_abcdefabcdef_' + 'A'.repeat(43),
  undefined,
);
const extraHeader = fc.constantFrom<Record<string, string>>(
  {},
  { 'x-request-id': '../../etc/passwd "quoted"' },
  { 'x-request-id': 'a'.repeat(500) },
  { 'if-match': 'W/"x"' },
  { 'if-match': '"0"' },
  { accept: 'text/html' },
);

describe('malformed bodies and headers at every endpoint (fast-check)', () => {
  let api: RunningApi;
  let db: Database.Database;

  beforeAll(async () => {
    api = await startApi();
    db = new Database(join(api.dataDir, 'waymark.db'), { readonly: true });
  });

  afterAll(async () => {
    db.close();
    await api.close();
  });

  const eventCount = () => db.prepare('SELECT count(*) FROM events').pluck().get() as number;

  it.each(ENDPOINTS)('$method $path never answers 5xx, and a refused request appends nothing', async (endpoint) => {
    await fc.assert(
      fc.asyncProperty(rawBody, bodyObject, contentType, authorization, extraHeader, async (body, query, type, auth, extra) => {
        const before = eventCount();
        const headers: Record<string, string> = { ...extra };
        if (type) headers['content-type'] = type;
        if (auth) headers.authorization = auth;
        const search = endpoint.query
          ? '?' +
            new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v ?? null)])).toString()
          : '';
        const response = await fetch(`${api.baseUrl}${endpoint.path}${search}`, {
          method: endpoint.method,
          headers,
          body: endpoint.method === 'GET' ? undefined : body,
        });
        const text = await response.text();
        if (response.status >= 500) throw new Error(`${response.status} for ${JSON.stringify({ body, query, headers })}: ${text}`);
        if (response.status >= 400) {
          expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(eventCount()).toBe(before);
        }
      }),
      { numRuns: 120 },
    );
  });

  it('still serves the real thing afterwards', async () => {
    const response = await fetch(`${api.baseUrl}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_KEY}` },
      body: JSON.stringify(SEED_BODY),
    });
    expect(response.status).toBe(201);
    expect((await readJson(response)).token).toBeTruthy();
  });
});
