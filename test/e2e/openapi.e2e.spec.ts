import { ModulesContainer } from '@nestjs/core';
import { openApiPath, registeredControllers, routesOf } from '../../apps/api/src/openapi/openapi.document';
import { RunningApi, readJson, startApi } from '../support/api-app';

interface Operation {
  operationId?: string;
  tags?: string[];
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }>;
  requestBody?: { content: Record<string, { schema?: unknown; example?: unknown }> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

function operationsOf(document: { paths: Record<string, Record<string, unknown>> }): Array<{ name: string; operation: Operation }> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation: operation as Operation })),
  );
}

describe('API docs at /docs', () => {
  let api: RunningApi;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let document: any;

  beforeAll(async () => {
    api = await startApi();
    const response = await fetch(`${api.baseUrl}/docs/openapi.json`);
    expect(response.status).toBe(200);
    document = await readJson(response);
  });

  afterAll(async () => {
    await api.close();
  });

  it('documents every route Fastify registered, and registers every route it documents', () => {
    const described = routesOf(registeredControllers(api.app.get(ModulesContainer)));
    const excluded = new Set(described.filter((route) => route.excluded).map((route) => `${route.method} ${openApiPath(route.path)}`));
    // Fastify's own table: HEAD is added for every GET, and the 404/405 handling is no route.
    const registered = new Set(api.routes.filter((route) => !route.startsWith('HEAD ')).map((route) => route.replace(/:([A-Za-z0-9_]+)/g, '{$1}')));
    const documented = new Set(operationsOf(document).map((entry) => entry.name));
    expect(registered.size).toBeGreaterThan(30);
    // Every registered route is documented or left out on purpose (@ApiExcluded, with its reason)...
    expect([...registered].filter((route) => !documented.has(route) && !excluded.has(route))).toEqual([]);
    // ...and every documented operation is a route the app answers.
    expect([...documented].filter((operation) => !registered.has(operation))).toEqual([]);
    expect([...excluded].sort()).toEqual([
      'GET /console',
      'GET /console/*',
      'GET /console/assets/{file}',
      'GET /docs',
      'GET /docs/assets/{file}',
      'GET /docs/init.js',
    ]);
  });

  it('serves an OpenAPI 3.1 document with ids, tags, schemas and examples for every operation', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.license.name).toBeDefined();
    expect(document.servers.length).toBeGreaterThan(0);
    expect(document.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    const tagNames = document.tags.map((tag: { name: string; description?: string }) => tag.description && tag.name);
    const ids = new Set<string>();
    for (const { name, operation } of operationsOf(document)) {
      expect([name, typeof operation.operationId]).toEqual([name, 'string']);
      expect([name, ids.has(operation.operationId!)]).toEqual([name, false]);
      ids.add(operation.operationId!);
      expect([name, tagNames.includes(operation.tags?.[0])]).toEqual([name, true]);
      const success = Object.entries(operation.responses).filter(([status]) => status.startsWith('2'));
      expect([name, success.length > 0]).toEqual([name, true]);
      for (const [status, response] of success) {
        for (const [type, media] of Object.entries(response.content ?? {})) {
          expect([name, status, type, media.schema !== undefined, media.example !== undefined]).toEqual([name, status, type, true, true]);
        }
      }
      // Every operation says what its refusals look like.
      expect([name, operation.responses['500'] !== undefined, operation.responses['400'] !== undefined]).toEqual([name, true, true]);
      if (operation.requestBody) {
        expect([name, operation.requestBody.content['application/json'].example !== undefined]).toEqual([name, true]);
      }
    }
    // The roles each operation needs, as OpenAPI 3.1 lets a non-OAuth scheme list them.
    expect(document.paths['/v1/sessions'].post.security).toEqual([{ apiKey: ['secret'] }]);
    expect(document.paths['/v1/analytics/users'].get.security).toEqual([{ apiKey: ['read'] }]);
    expect(document.paths['/v1/admin/replays'].post.security).toEqual([{ apiKey: ['admin'] }]);
    expect(document.paths['/health/ready'].get.security).toEqual([]);
    // Request schemas are the validation schemas themselves.
    expect(document.paths['/v1/sessions'].post.requestBody.content['application/json'].schema.required).toEqual(['product', 'env', 'tag', 'data']);
  });

  it('lists the statuses the code answers: 422 for an unknown product, 404s, 413/415 for bodies, 503 while draining', () => {
    const responses = (path: string, method: string) => Object.keys(document.paths[path][method].responses);
    expect(responses('/v1/sessions', 'post')).toEqual(expect.arrayContaining(['201', '400', '401', '403', '413', '415', '422', '429', '500', '503']));
    expect(responses('/v1/sessions/extend', 'post')).toEqual(expect.arrayContaining(['404', '422']));
    expect(responses('/v1/products/{product}/session-specs/{tag}', 'put')).toEqual(expect.arrayContaining(['404', '409', '422']));
    expect(responses('/v1/products/{product}/session-specs/{tag}', 'delete')).toEqual(expect.arrayContaining(['404', '422']));
    expect(responses('/v1/analytics/users', 'get')).toEqual(expect.arrayContaining(['200', '422']));
    // Health and metrics are answered while the instance drains: no SHUTTING_DOWN there.
    expect(document.paths['/health/ready'].get.responses['503'].content['application/json'].schema.properties.reasons).toBeDefined();
    expect(document.paths['/metrics'].get.responses['200'].content['text/plain']).toBeDefined();
    expect(document.paths['/v1/sessions'].post.responses['422'].content['application/problem+json'].schema.allOf[1].properties.code.enum).toContain(
      'PRODUCT_NOT_FOUND',
    );
  });

  it('states the cross-field rules JSON Schema can: one of sessionId/identifier, record or records, the funnel steps, extend by, from/to', () => {
    const body = (path: string) => document.paths[path].post.requestBody.content['application/json'].schema;
    const query = (path: string, name: string) => document.paths[path].get.parameters.find((p: { name: string }) => p.name === name).schema;
    expect(body('/v1/sessions/revoke').oneOf).toHaveLength(2);
    expect(body('/v1/sessions/activity').oneOf).toEqual([{ required: ['record'] }, { required: ['records'] }]);
    expect(body('/v1/sessions/extend').properties.by.anyOf).toContainEqual({ properties: { unit: { const: 'days' }, value: { maximum: 365 } } });
    expect(query('/v1/analytics/funnel', 'steps').anyOf[1]).toMatchObject({ minItems: 2, maxItems: 10 });
    expect(query('/v1/analytics/dashboard', 'from').pattern).toBeDefined();
  });

  it('checks every answer of the e2e apps against the document: an undescribed status, type or body is a violation', () => {
    // The document was fetched through the app in beforeAll, and checked like any answer.
    expect(api.contract.checked).toBeGreaterThan(0);
    const sent = { method: 'GET', route: '/health/live', url: '/health/live', contentType: 'application/json; charset=utf-8' };
    api.contract.check({ ...sent, status: 200, body: '{"status":"ok"}' });
    expect(api.contract.violations).toEqual([]);
    api.contract.check({ ...sent, status: 200, body: '{"status":"ok","extra":1}' });
    api.contract.check({ ...sent, status: 418, body: '{}' });
    api.contract.check({ ...sent, status: 200, contentType: 'text/html', body: '<p>' });
    expect(api.contract.violations).toHaveLength(3);
    expect(() => api.contract.assertClean()).toThrow(/3 response\(s\) the OpenAPI document does not describe/);
    expect(api.contract.violations).toEqual([]);
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
