import { RunningApi, readJson, startApi } from '../support/api-app';

describe('API docs at /docs', () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi();
  });

  afterAll(async () => {
    await api.close();
  });

  it('serves an OpenAPI 3.1 document where every operation has an example', async () => {
    const response = await fetch(`${api.baseUrl}/docs/openapi.json`);
    expect(response.status).toBe(200);
    const document = await readJson(response);
    expect(document.openapi).toBe('3.1.0');

    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(
        item as Record<
          string,
          { responses: Record<string, { content?: Record<string, { example?: unknown }> }>; requestBody?: { content: Record<string, { example?: unknown }> } }
        >,
      )
        .filter(([method]) => ['get', 'post', 'put', 'delete'].includes(method))
        .map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })),
    );
    expect(operations.map((entry) => entry.name)).toEqual(
      expect.arrayContaining([
        'POST /v1/sessions',
        'POST /v1/sessions/verify',
        'POST /v1/sessions/refresh',
        'POST /v1/sessions/revoke',
        'POST /v1/sessions/extend',
        'POST /v1/sessions/activity',
        'GET /v1/sessions/active',
        'GET /v1/journeys',
        'GET /v1/analytics/users',
        'GET /v1/analytics/users/profile',
        'GET /v1/analytics/users/journey',
        'GET /v1/analytics/users/dashboard',
        'GET /v1/analytics/dashboard',
        'GET /v1/analytics/paths',
        'GET /v1/analytics/funnel',
        'GET /v1/analytics/retention',
        'POST /v1/products/{product}/session-specs',
        'PUT /v1/products/{product}/session-specs/{tag}',
      ]),
    );
    for (const { name, operation } of operations) {
      const success = Object.entries(operation.responses).find(([status]) => status.startsWith('2'));
      expect([name, success?.[1].content?.['application/json']?.example !== undefined]).toEqual([name, true]);
      if (operation.requestBody) expect([name, operation.requestBody.content['application/json'].example !== undefined]).toEqual([name, true]);
    }
    // Request schemas are the validation schemas themselves.
    expect(document.paths['/v1/sessions'].post.requestBody.content['application/json'].schema.required).toEqual(['product', 'env', 'tag', 'data']);
  });

  it('serves the Swagger UI page and its assets from the installed package', async () => {
    const page = await fetch(`${api.baseUrl}/docs`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/docs/assets/swagger-ui-bundle.js');
    const asset = await fetch(`${api.baseUrl}/docs/assets/swagger-ui-bundle.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${api.baseUrl}/docs/assets/..%2Fpackage.json`)).status).toBe(404);
  });
});
