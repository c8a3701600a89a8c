import { RunningApi, startApi } from '../support/api-app';

/**
 * The console is served by the API at /console from dist/console (built by `npm test`'s
 * build step): index.html uncached for every view's URL, hashed assets cached for good,
 * a CSP of 'self' only, and problem+json for what is not there.
 */
describe('console: served at /console', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api.close());

  it.each(['/console', '/console/', '/console/users', '/console/user?env=snd&identifier=alice'])('%s answers the page, never cached', async (path) => {
    const response = await fetch(`${api.baseUrl}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('content-security-policy')).not.toMatch(/unsafe|https?:/);
    expect(await response.text()).toMatch(/<script type="module"[^>]* src="\/console\/assets\/index-[\w-]+\.js"/);
  });

  it('serves the hashed assets the page names, cached for a year, with their content types', async () => {
    const html = await (await fetch(`${api.baseUrl}/console`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((match) => match[1]);
    expect(assets.some((asset) => asset.endsWith('.js'))).toBe(true);
    expect(assets.some((asset) => asset.endsWith('.css'))).toBe(true);
    for (const asset of assets) {
      const response = await fetch(`${api.baseUrl}${asset}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(asset.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
  });

  it('answers a missing asset with problem+json 404, not the page', async () => {
    const response = await fetch(`${api.baseUrl}/console/assets/missing-0000.js`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await response.json()) as { code: string }).code).toBe('NOT_FOUND');
  });

  it('fits the HTTP edge: a wrong method is 405 with Allow, a path beside it stays 404', async () => {
    const post = await fetch(`${api.baseUrl}/console/users`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toContain('GET');
    const beside = await fetch(`${api.baseUrl}/consoles`);
    expect(beside.status).toBe(404);
    expect(beside.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
