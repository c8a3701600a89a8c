/**
 * Measures the console in a browser against a running Waymark (open development mode or
 * a read key): JavaScript shipped for the first page (gzipped, as a server compressing it
 * would send it) and the time from navigation until each page shows its data.
 *
 *   npx node -r ./tools/register-ts.js test/support/console/measure.ts --url http://127.0.0.1:3000 [--key KEY] [--runs 5] [--tag session-tag]
 *
 * Each view is loaded fresh (a full navigation: HTML, scripts, then the API's answer),
 * so the figures include parsing the bundle; moving between pages inside the console is
 * faster than this.
 */
import { gzipSync } from 'node:zlib';
import { Page } from 'playwright-core';
import { readJson } from '../api-app';
import { launchChromium } from './browser';

function arg(name: string, fallback?: string): string {
  const index = process.argv.indexOf(`--${name}`);
  if (index >= 0) return process.argv[index + 1];
  if (fallback === undefined) throw new Error(`--${name} is required`);
  return fallback;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const url = arg('url');
  const key = arg('key', '');
  const runs = Number(arg('runs', '5'));
  const scope = { product: arg('product', 'my-product-tag'), tag: arg('tag', 'session-tag') };
  const headers = key ? { authorization: `Bearer ${key}` } : {};
  const api = async (path: string, params: Record<string, string>) =>
    readJson(await fetch(`${url}/v1/analytics/${path}?${new URLSearchParams({ ...scope, ...params })}`, { headers }));
  const first = (await api('users', { pageSize: '1' })).users[0];
  const paths = await api('paths', { steps: '3', edges: '50' });
  const names = [...new Set((paths.nodes as Array<{ step: string }>).map((node) => node.step))].slice(0, 3);

  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  if (key)
    await context.addInitScript(
      (value: string) =>
        (globalThis as unknown as { sessionStorage: { setItem: (k: string, v: string) => void } }).sessionStorage.setItem('waymark.console.key', value),
      key,
    );
  const page = await context.newPage();

  // JavaScript of the first page: every script the Users page loads.
  const scripts = new Map<string, Buffer>();
  page.on('response', async (response) => {
    if (response.request().resourceType() === 'script') scripts.set(response.url(), await response.body().catch(() => Buffer.alloc(0)));
  });
  const view = (name: string, extra: Record<string, string> = {}) => `${url}/console/${name}?${new URLSearchParams({ ...scope, ...extra })}`;
  await page.goto(view('users'));
  await page.locator('[data-testid=users-total]').waitFor({ timeout: 60_000 });
  const firstPage = [...scripts.values()];
  const raw = firstPage.reduce((sum, body) => sum + body.length, 0);
  const gzipped = firstPage.reduce((sum, body) => sum + gzipSync(body, { level: 9 }).length, 0);
  console.log(`first page (Users): ${firstPage.length} script(s), ${(raw / 1024).toFixed(1)} KiB, ${(gzipped / 1024).toFixed(1)} KiB gzipped`);

  const user = { env: first.env, identifier: first.identifier };
  const views: Array<[string, string, string]> = [
    ['users', view('users'), '[data-testid=users-total]'],
    ['user: profile', view('user', user), '[data-testid=profile-sessions]'],
    ['user: journey (first 100)', view('user', user), '[data-testid=journey] li.event'],
    ['user: dashboard', view('user', user), '[data-testid=user-events]'],
    ['dashboard (7 days)', view('dashboard'), '[data-testid=kpi-users]'],
    ['dashboard (30 days)', view('dashboard', { range: '30d' }), '[data-testid=kpi-users]'],
    ['paths (7 days)', view('paths'), '[data-testid=paths-visits]'],
    ['paths (30 days)', view('paths', { range: '30d' }), '[data-testid=paths-visits]'],
    ['funnel (7 days)', view('funnel', { steps: names.join(',') }), '[data-testid=funnel-steps] tbody tr'],
    ['funnel (30 days)', view('funnel', { steps: names.join(','), range: '30d' }), '[data-testid=funnel-steps] tbody tr'],
    ['retention (14 days)', view('retention', { range: '30d' }), '[data-testid=retention] tbody tr'],
  ];
  for (const [name, target, selector] of views) {
    const times: number[] = [];
    for (let run = 0; run < runs; run += 1) times.push(await timeToData(page, target, selector));
    console.log(`${name}: median ${median(times)} ms (runs: ${times.join(', ')})`);
  }
  await browser.close();
}

async function timeToData(page: Page, target: string, selector: string): Promise<number> {
  await page.goto('about:blank');
  const started = Date.now();
  await page.goto(target);
  await page.locator(selector).first().waitFor({ timeout: 60_000 });
  return Date.now() - started;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
