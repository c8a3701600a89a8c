/**
 * The analyst console in a real browser on a seeded data directory (`npm run seed:demo`):
 * JavaScript shipped for the first page, the time until each page shows its data, and
 * the journey's infinite scroll over a long journey. Issue 16's "Measured" criterion.
 *
 *   npm run seed:demo -- --users 100000 --days 30 --seed 42 --activities-per-session 13 --data-dir /tmp/console-10m
 *   npm run bench:console -- --data-dir /tmp/console-10m [--runs 5] [--json FILE]
 *
 * The API app (embedded mode, as `npm start` builds it) is opened in this process on the
 * data directory with a bench config (the demo's product and session spec, a read key
 * for the console, a secret key for the long journey and the live event), like
 * bench:analytics does. Debian's chromium (headless, playwright-core, no download) loads
 * each page by a full navigation and a watcher installed before the page's scripts
 * records, at each animation frame, when the page's data element (the selectors the
 * browser test reads) first shows. The same navigation's Resource Timing entry of the
 * page's main API request splits that time in three: until the request starts (HTML,
 * scripts, boot), the API's answer, and after it (JSON, render, paint).
 *
 * It writes to the data directory: the app records the bench's product spec on start,
 * and, unless a journey of that length is there already, one user `scroller` (env snd)
 * with 5,000 activity records in a tag of its own (`long-journey`), plus one session per
 * run for the live page (`bench-live-<time>`), started after the page connected.
 */
import { mintApiKey } from '@waymark/tokens';
import { createReadModelClient, migrateReadModel } from '@waymark/read-model';
import { ClickHouseClient } from '@clickhouse/client';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { createApiApp } from '../apps/api/src/bootstrap';
import { loadApiConfig } from '../apps/api/src/config/api.config';
import { launchChromium } from '../test/support/console/browser';
import { LONG_JOURNEY, seedLongJourney } from '../test/support/console/dataset';
import { ResourceTiming, ScrollResult, allSeen, readSeen, scrollJourney, watchSelectors } from './console/in-page';

const USAGE = `usage: npm run bench:console -- --data-dir DIR [--runs N] [--json FILE] [--only TEXT] [--no-scroll]

  --data-dir DIR  a data directory filled by npm run seed:demo
  --runs N        warm runs of each page after the cold one (default 5)
  --json FILE     also write every figure as JSON
  --only TEXT     only the pages whose name contains TEXT
  --no-scroll     skip the journey's infinite scroll
  --product P     (default my-product-tag)   --tag T   (default session-tag)`;

const ENVS = ['prd', 'snd', 'dev'];
const FUNNEL = ['home', 'product', 'cart', 'checkout', 'pay'];
const SCROLL_TIMEOUT_MS = 300_000;

interface Watch {
  /** What the table calls it. */
  name: string;
  /** A DOM element that only appears with the data (as the browser test reads it). */
  selector: string;
  /** The page's main API request (its path); the time splits around it. */
  api?: string;
  /** ≤ this many ms from navigation start, if the issue sets a target. */
  targetMs?: number;
}

interface View {
  name: string;
  page: string;
  params: (run: number) => Record<string, string>;
  watches: Watch[];
}

interface Sample {
  shownMs: number;
  apiStartMs?: number;
  apiMs?: number;
  afterApiMs?: number;
  fromCache?: boolean;
  apiUrl?: string;
}

interface PageJs {
  page: string;
  scripts: number;
  rawBytes: number;
  gzipBytes: number;
}

interface Row {
  name: string;
  targetMs?: number;
  cold: Sample;
  warm: Sample[];
  /** The warm runs' main API request again, from Node, one at a time with no browser running: the floor under the page. */
  apiAlone: number[];
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};
async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}
const round = (value: number | undefined) => (value === undefined ? '' : value.toFixed(0));
const defined = <T>(values: Array<T | undefined>) => values.filter((value): value is T => value !== undefined);

async function scalar<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  const result = await client.query({ query, format: 'JSONEachRow', clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
  return result.json<T>();
}

/** The read model as the seeding left it: migrated, background merges settled, counted. */
async function settle(dataDir: string): Promise<{ events: number; users: number; first: string; last: string }> {
  const client = createReadModelClient({ kind: 'chdb', path: join(dataDir, 'clickhouse') });
  try {
    await migrateReadModel(client);
    const started = Date.now();
    for (let quiet = 0; quiet < 3 && Date.now() - started < 15 * 60_000;) {
      const [{ merges, parts }] = await scalar<{ merges: number; parts: number }>(
        client,
        `SELECT (SELECT count() FROM system.merges) AS merges, (SELECT count() FROM system.parts WHERE active AND database = currentDatabase()) AS parts`,
      );
      quiet = Number(merges) === 0 ? quiet + 1 : 0;
      process.stdout.write(`\rwaiting for background merges to settle: ${merges} running, ${parts} active parts`.padEnd(90));
      await new Promise((done) => setTimeout(done, 2000));
    }
    process.stdout.write('\n');
    const [counts] = await scalar<{ events: number; users: number; first: string; last: string }>(
      client,
      `SELECT count() AS events, uniqExact(env, identifier) AS users, toString(min(occurred_at)) AS first, toString(max(occurred_at)) AS last FROM events WHERE identifier != ''`,
    );
    return counts;
  } finally {
    await client.close();
  }
}

function writeConfig(dir: string, product: string, tag: string) {
  const read = mintApiKey();
  const secret = mintApiKey();
  const file = join(dir, 'waymark.config.json');
  const limit = { perSecond: 100_000, burst: 100_000 };
  writeFileSync(
    file,
    JSON.stringify({
      products: [
        {
          tag: product,
          name: product,
          envs: ENVS,
          sessions: [
            // As tools/seed-demo records it.
            { tag, name: 'Default session', selector: 'userId', expiry: { value: 1, unit: 'hours' }, refreshExpiry: { value: 7, unit: 'days' } },
            { tag: LONG_JOURNEY.tag, name: 'Long journey', selector: 'userId' },
          ],
        },
      ],
      apiKeys: [
        { id: read.id, name: 'console-bench', product, envs: ['*'], roles: ['read'], secretHash: read.secretHash, rateLimit: limit },
        { id: secret.id, name: 'console-bench-writer', product, envs: ['*'], roles: ['secret'], secretHash: secret.secretHash, rateLimit: limit },
      ],
    }),
  );
  return { file, readKey: read.key, secretKey: secret.key };
}

async function newContext(browser: Browser, key: string, selectors: string[]): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  await context.addInitScript(watchSelectors, { key, selectors });
  return context;
}

/** One full navigation (from about:blank) until every watched element shows. */
async function load(page: Page, url: string, watches: Watch[]): Promise<Sample[]> {
  const selectors = watches.map((watch) => watch.selector);
  await page.goto('about:blank');
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(allSeen, selectors, { timeout: 120_000, polling: 50 });
  const { seen, resources } = await page.evaluate(readSeen);
  return watches.map((watch) => {
    const shownMs = seen[watch.selector];
    const request = watch.api ? resources.find((entry: ResourceTiming) => new URL(entry.name).pathname === watch.api) : undefined;
    if (!request) return { shownMs };
    return {
      shownMs,
      apiStartMs: request.startTime,
      apiMs: request.responseEnd - request.startTime,
      afterApiMs: shownMs - request.responseEnd,
      fromCache: request.transferSize === 0,
      apiUrl: request.name,
    };
  });
}

function verdict(row: Row): string {
  if (row.targetMs === undefined) return '';
  const shown = row.warm.map((sample) => sample.shownMs);
  const p50 = percentile(shown, 50);
  const max = Math.max(...shown);
  if (max <= row.targetMs) return 'PASS';
  if (p50 <= row.targetMs) return `PASS at p50 (max ${(max / row.targetMs).toFixed(2)}× target)`;
  return `MISS (p50 ${(p50 / row.targetMs).toFixed(2)}× target)`;
}

function summary(samples: Sample[]) {
  const of = (pick: (sample: Sample) => number | undefined) => {
    const values = defined(samples.map(pick));
    return values.length > 0 ? percentile(values, 50) : undefined;
  };
  return {
    p50: percentile(
      samples.map((sample) => sample.shownMs),
      50,
    ),
    max: Math.max(...samples.map((sample) => sample.shownMs)),
    apiStart: of((sample) => sample.apiStartMs),
    api: of((sample) => sample.apiMs),
    afterApi: of((sample) => sample.afterApiMs),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      runs: { type: 'string' },
      json: { type: 'string' },
      only: { type: 'string' },
      product: { type: 'string' },
      tag: { type: 'string' },
      'no-scroll': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || !values['data-dir']) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const dataDir = resolve(values['data-dir']);
  if (!existsSync(join(dataDir, 'clickhouse'))) {
    process.stderr.write(`${dataDir}/clickhouse does not exist: seed it first with npm run seed:demo\n`);
    process.exit(2);
  }
  const runs = Math.max(1, Number(values.runs ?? 5));
  const product = values.product ?? 'my-product-tag';
  const tag = values.tag ?? 'session-tag';
  const only = values.only;
  if (!existsSync(join(process.cwd(), 'dist', 'console', 'index.html'))) {
    process.stdout.write('building the console (node tools/build-stamp.js ensure)\n');
    execFileSync(process.execPath, ['tools/build-stamp.js', 'ensure'], { stdio: 'inherit' });
  }

  const dataset = await settle(dataDir);
  process.stdout.write(
    `dataset: ${Number(dataset.events).toLocaleString('en')} events, ${Number(dataset.users).toLocaleString('en')} users, ${dataset.first} – ${dataset.last} UTC\n`,
  );
  const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version };
  const loads: number[][] = [loadavg()];

  const configDir = mkdtempSync(join(tmpdir(), 'console-bench-'));
  const config = writeConfig(configDir, product, tag);
  const app = await createApiApp(
    loadApiConfig({ DATA_DIR: dataDir, WAYMARK_CONFIG: config.file, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', NODE_ENV: 'test' }),
  );
  let browser: Browser | undefined;
  try {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    const auth = { authorization: `Bearer ${config.readKey}` };
    const api = async (path: string, params: Record<string, string>) => {
      const response = await fetch(`${base}/v1/analytics/${path}?${new URLSearchParams(params)}`, { headers: auth });
      if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
      return response.json();
    };
    const scope = { product, tag };
    // Users for the user page: a different one each run (the newest seen, 7 days).
    const listed = (await api('users', { ...scope, pageSize: String(Math.min(100, runs + 1)) })) as { users: Array<{ env: string; identifier: string }> };
    if (listed.users.length === 0) throw new Error('the users list is empty: is the data directory seeded for this product and tag?');
    const userOf = (run: number) => {
      const user = listed.users[run % listed.users.length];
      return { env: user.env, identifier: user.identifier };
    };

    browser = await launchChromium();
    process.stdout.write(`chromium ${browser.version()}, ${runs} warm run(s) per page after a cold one\n`);

    // JavaScript (and CSS) the first page loads: a new context, so nothing is cached.
    const firstPage = await newContext(browser, config.readKey, ['[data-testid=users-total]']);
    const shipped = new Map<string, { type: string; raw: number; gzip: number; encoding?: string }>();
    const onResponse = (target: Map<string, { type: string; raw: number; gzip: number; encoding?: string }>) => async (response: Response) => {
      const type = response.request().resourceType();
      if (type !== 'script' && type !== 'stylesheet') return;
      const body = await response.body().catch(() => Buffer.alloc(0));
      target.set(response.url(), { type, raw: body.length, gzip: gzipSync(body).length, encoding: response.headers()['content-encoding'] });
    };
    firstPage.on('response', onResponse(shipped));
    {
      const page = await firstPage.newPage();
      await load(page, `${base}/console/users?${new URLSearchParams(scope)}`, [{ name: 'users', selector: '[data-testid=users-total]' }]);
      await page.waitForLoadState('networkidle');
      await page.close();
    }
    await firstPage.close();
    const js = [...shipped.values()].filter((asset) => asset.type === 'script');
    const css = [...shipped.values()].filter((asset) => asset.type === 'stylesheet');
    const sum = (list: Array<{ raw: number; gzip: number }>, field: 'raw' | 'gzip') => list.reduce((total, asset) => total + asset[field], 0);
    const firstPageJs = {
      scripts: js.length,
      rawBytes: sum(js, 'raw'),
      gzipBytes: sum(js, 'gzip'),
      cssRawBytes: sum(css, 'raw'),
      cssGzipBytes: sum(css, 'gzip'),
      servedCompressed: js.some((asset) => asset.encoding),
      targetBytes: 250 * 1024,
    };
    process.stdout.write(
      `first page (users): ${js.length} script(s), ${(firstPageJs.rawBytes / 1024).toFixed(1)} KiB, ${(firstPageJs.gzipBytes / 1024).toFixed(1)} KiB gzipped` +
        ` (target ≤ 250 KiB: ${firstPageJs.gzipBytes <= firstPageJs.targetBytes ? 'PASS' : 'MISS'}); CSS ${(firstPageJs.cssGzipBytes / 1024).toFixed(1)} KiB gzipped` +
        `${firstPageJs.servedCompressed ? '' : '; the API serves them uncompressed, gzip measured with zlib (level 6)'}\n`,
    );

    const user = (run: number) => ({ ...scope, ...userOf(run) });
    const views: View[] = [
      {
        name: 'users',
        page: 'users',
        params: () => scope,
        watches: [{ name: 'users', selector: '[data-testid=users-total]', api: '/v1/analytics/users', targetMs: 1000 }],
      },
      {
        name: 'user',
        page: 'user',
        params: user,
        watches: [
          { name: 'user: profile', selector: '[data-testid=profile-sessions]', api: '/v1/analytics/users/profile', targetMs: 1000 },
          { name: 'user: journey (first 100)', selector: '[data-testid=journey] li.event', api: '/v1/analytics/users/journey', targetMs: 1000 },
          { name: 'user: dashboard charts', selector: '[data-testid=user-events]', api: '/v1/analytics/users/dashboard', targetMs: 1000 },
          { name: 'user: first chart drawn', selector: 'canvas', api: '/v1/analytics/users/dashboard' },
        ],
      },
      {
        name: 'dashboard 7d',
        page: 'dashboard',
        params: () => scope,
        watches: [
          { name: 'tag dashboard (7 days)', selector: '[data-testid=kpi-users]', api: '/v1/analytics/dashboard', targetMs: 1000 },
          { name: 'tag dashboard (7 days): first chart drawn', selector: 'canvas', api: '/v1/analytics/dashboard' },
        ],
      },
      {
        name: 'dashboard 30d',
        page: 'dashboard',
        params: () => ({ ...scope, range: '30d' }),
        watches: [{ name: 'tag dashboard (30 days)', selector: '[data-testid=kpi-users]', api: '/v1/analytics/dashboard', targetMs: 1000 }],
      },
      {
        name: 'paths 7d',
        page: 'paths',
        params: () => scope,
        watches: [
          { name: 'paths (7 days)', selector: '[data-testid=paths-visits]', api: '/v1/analytics/paths', targetMs: 2000 },
          { name: 'paths (7 days): Sankey drawn', selector: 'canvas', api: '/v1/analytics/paths' },
        ],
      },
      {
        name: 'paths 30d',
        page: 'paths',
        params: () => ({ ...scope, range: '30d' }),
        watches: [{ name: 'paths (30 days)', selector: '[data-testid=paths-visits]', api: '/v1/analytics/paths', targetMs: 2000 }],
      },
      {
        name: 'funnel 7d',
        page: 'funnel',
        params: () => ({ ...scope, steps: FUNNEL.join(',') }),
        watches: [
          { name: 'funnel, 5 steps (7 days)', selector: '[data-testid=funnel-steps] tbody tr', api: '/v1/analytics/funnel', targetMs: 2000 },
          { name: 'funnel, 5 steps (7 days): chart drawn', selector: 'canvas', api: '/v1/analytics/funnel' },
        ],
      },
      {
        name: 'funnel 30d',
        page: 'funnel',
        params: () => ({ ...scope, steps: FUNNEL.join(','), range: '30d' }),
        watches: [{ name: 'funnel, 5 steps (30 days)', selector: '[data-testid=funnel-steps] tbody tr', api: '/v1/analytics/funnel', targetMs: 2000 }],
      },
      {
        name: 'retention',
        page: 'retention',
        params: () => scope,
        watches: [
          { name: 'retention (7 days, daily)', selector: '[data-testid=retention] tbody tr', api: '/v1/analytics/retention' },
          { name: 'retention (7 days): heatmap drawn', selector: 'canvas', api: '/v1/analytics/retention' },
        ],
      },
      {
        name: 'live',
        page: 'live',
        params: () => scope,
        watches: [{ name: 'live: stream connected', selector: '.live-state.open' }],
      },
    ];

    const pageJs: PageJs[] = [];
    const rows: Row[] = [];
    const liveLatencies: number[] = [];
    for (const view of views.filter((entry) => only === undefined || entry.name.includes(only))) {
      const context = await newContext(
        browser,
        config.readKey,
        view.watches.map((watch) => watch.selector),
      );
      // The scripts this page loads into an empty cache (its cold run).
      const coldAssets = new Map<string, { type: string; raw: number; gzip: number; encoding?: string }>();
      const recordAsset = onResponse(coldAssets);
      context.on('response', recordAsset);
      const page = await context.newPage();
      const samples: Sample[][] = [];
      for (let run = 0; run <= runs; run += 1) {
        samples.push(await load(page, `${base}/console/${view.page}?${new URLSearchParams(view.params(run))}`, view.watches));
        if (run === 0) {
          await page.waitForLoadState('networkidle').catch(() => undefined);
          context.off('response', recordAsset);
          const scripts = [...coldAssets.values()].filter((asset) => asset.type === 'script');
          pageJs.push({ page: view.name, scripts: scripts.length, rawBytes: sum(scripts, 'raw'), gzipBytes: sum(scripts, 'gzip') });
        }
        if (view.page === 'live') liveLatencies.push(await liveEvent(page, base, config.secretKey, product, tag));
      }
      await context.close();
      loads.push(loadavg());
      const floors = new Map<string, number[]>();
      for (const [index, watch] of view.watches.entries()) {
        const row: Row = { name: watch.name, targetMs: watch.targetMs, cold: samples[0][index], warm: samples.slice(1).map((run) => run[index]), apiAlone: [] };
        const urls = defined(row.warm.map((sample) => sample.apiUrl));
        const ask = async (url: string) => {
          const response = await fetch(url, { headers: auth });
          if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
          await response.arrayBuffer();
        };
        const known = watch.api === undefined ? undefined : floors.get(watch.api);
        if (known) row.apiAlone.push(...known);
        else {
          if (urls.length > 0) await ask(urls[0]); // untimed: Node's first request to the app
          for (const url of urls) row.apiAlone.push(await timed(() => ask(url)));
          if (watch.api !== undefined) floors.set(watch.api, row.apiAlone);
        }
        rows.push(row);
        const warm = summary(row.warm);
        process.stdout.write(
          `${watch.name}: cold ${round(row.cold.shownMs)} ms; ${runs} warm: p50 ${round(warm.p50)} ms, max ${round(warm.max)} ms` +
            (warm.api !== undefined ? ` (API answer p50 ${round(warm.api)} ms in the page, ${round(percentile(row.apiAlone, 50))} ms alone)` : '') +
            (row.targetMs !== undefined ? ` — target ≤ ${row.targetMs} ms: ${verdict(row)}` : '') +
            '\n',
        );
      }
      if (view.page === 'live')
        process.stdout.write(
          `live: a session started after the page connected shows in p50 ${round(percentile(liveLatencies, 50))} ms, max ${round(Math.max(...liveLatencies))} ms\n`,
        );
    }

    let scroll: (ScrollResult & { apiMs: number[]; seeded: boolean; ms: number }) | undefined;
    if (!values['no-scroll'] && (only === undefined || 'journey scroll'.includes(only))) {
      scroll = await measureScroll(browser, base, config, product);
      loads.push(loadavg());
    }

    printTable(firstPageJs, pageJs, rows, scroll, liveLatencies);
    const load1 = loads.map((entry) => entry[0]);
    process.stdout.write(
      `\nload average (1 min) during the run: ${Math.min(...load1).toFixed(2)}–${Math.max(...load1).toFixed(2)}; ${machine.cpus} CPUs, ${machine.node}\n`,
    );
    if (values.json) {
      writeFileSync(
        values.json,
        JSON.stringify(
          {
            at: new Date().toISOString(),
            dataDir,
            dataset,
            machine: { ...machine, freeMemoryGiB: +(freemem() / 2 ** 30).toFixed(1), loadAverages: loads },
            chromium: browser.version(),
            runs,
            firstPageJs,
            firstPageAssets: Object.fromEntries(shipped),
            pageJs,
            pages: rows.map((row) => ({ ...row, warmSummary: summary(row.warm), verdict: verdict(row) })),
            live: { newEventShownMs: liveLatencies },
            scroll,
          },
          null,
          2,
        ),
      );
      process.stdout.write(`wrote ${values.json}\n`);
    }
  } finally {
    await browser?.close();
    await app.close();
    rmSync(configDir, { recursive: true, force: true });
  }
}

/** After the live page connected: start a session and wait for it to show at the top. */
async function liveEvent(page: Page, base: string, secretKey: string, product: string, tag: string): Promise<number> {
  const identifier = `bench-live-${Date.now()}`;
  const started = Date.now();
  const response = await fetch(`${base}/v1/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ product, tag, env: 'snd', data: { userId: identifier } }),
  });
  if (response.status !== 201) throw new Error(`start ${identifier}: ${response.status} ${await response.text()}`);
  await page.locator('[data-testid=live-events] tbody tr', { hasText: identifier }).first().waitFor({ timeout: 30_000 });
  return Date.now() - started;
}

/** The journey of a user with ≥ 5,000 events, scrolled to its end and back over. */
async function measureScroll(browser: Browser, base: string, config: { readKey: string; secretKey: string }, product: string) {
  const user = { product, tag: LONG_JOURNEY.tag, env: LONG_JOURNEY.env, identifier: LONG_JOURNEY.identifier };
  const events = LONG_JOURNEY.records + 1;
  const profileUrl = `${base}/v1/analytics/users/profile?${new URLSearchParams(user)}`;
  const eventCount = async () => {
    const response = await fetch(profileUrl, { headers: { authorization: `Bearer ${config.readKey}` } });
    if (response.status !== 200) return 0;
    const profile = (await response.json()) as { sessions?: Array<{ eventCount: number }> };
    return (profile.sessions ?? []).reduce((total, session) => total + session.eventCount, 0);
  };
  let seeded = false;
  if ((await eventCount()) < events) {
    process.stdout.write(`seeding a journey of ${events} events (user ${user.identifier}, tag ${user.tag}) through the API\n`);
    await seedLongJourney(base, config.secretKey);
    seeded = true;
    const started = Date.now();
    while ((await eventCount()) < events) {
      if (Date.now() - started > 120_000) throw new Error('the long journey was not projected within 2 minutes');
      await new Promise((done) => setTimeout(done, 500));
    }
  }
  const total = await eventCount();
  const context = await newContext(browser, config.readKey, ['[data-testid=journey] li.event']);
  const page = await context.newPage();
  try {
    await load(page, `${base}/console/user?${new URLSearchParams(user)}`, [{ name: 'journey', selector: '[data-testid=journey] li.event' }]);
    await page.waitForFunction(
      () =>
        (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('[data-testid=journey] li.event')
          .length >= 100,
    );
    await page.waitForTimeout(500);
    const started = Date.now();
    const result = await page.evaluate(scrollJourney, {
      itemSelector: '[data-testid=journey] li.event',
      endSelector: '[data-testid=journey-count]',
      timeoutMs: SCROLL_TIMEOUT_MS,
      browseFrames: 600,
    });
    const ms = Date.now() - started;
    const { resources } = await page.evaluate(readSeen);
    const apiMs = resources
      .filter((entry: ResourceTiming) => new URL(entry.name).pathname === '/v1/analytics/users/journey')
      .slice(1)
      .map((entry: ResourceTiming) => entry.responseEnd - entry.startTime);
    const pageMs = result.pages.map((entry) => entry.ms);
    process.stdout.write(
      `journey scroll: ${result.events} of ${total} events in ${result.pages.length} appended pages, ${(ms / 1000).toFixed(1)} s; per page p50 ${round(percentile(pageMs, 50))} ms,` +
        ` p95 ${round(percentile(pageMs, 95))} ms (API answer p50 ${round(percentile(apiMs, 50))} ms); frames p95 ${round(percentile(result.loadingFrames, 95))} ms loading,` +
        ` ${round(percentile(result.browsingFrames, 95))} ms browsing; ${result.longTasks.length} long task(s)${result.timedOut ? ' — TIMED OUT' : ''}\n`,
    );
    return { ...result, apiMs, seeded, ms };
  } finally {
    await context.close();
  }
}

function printTable(
  js: { scripts: number; rawBytes: number; gzipBytes: number; cssGzipBytes: number; targetBytes: number },
  pageJs: PageJs[],
  rows: Row[],
  scroll: (ScrollResult & { apiMs: number[]; ms: number }) | undefined,
  live: number[],
): void {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  process.stdout.write(`\n| first page (users) | scripts | JS | JS gzipped | target | |\n|---|---|---|---|---|---|\n`);
  process.stdout.write(
    `| JavaScript shipped | ${js.scripts} | ${kib(js.rawBytes)} | ${kib(js.gzipBytes)} | ≤ 250 KiB gzipped | ${js.gzipBytes <= js.targetBytes ? 'PASS' : 'MISS'} |\n`,
  );
  for (const entry of pageJs)
    process.stdout.write(`| ${entry.page}, loaded first (empty cache) | ${entry.scripts} | ${kib(entry.rawBytes)} | ${kib(entry.gzipBytes)} | | |\n`);
  process.stdout.write(
    `\nms from navigation start until the data shows; warm = ${rows[0]?.warm.length ?? 0} runs after the cold one; the warm p50 split: until the API request starts, the API's answer, after it; API alone = the same request from Node with no browser running, p50\n\n`,
  );
  process.stdout.write(
    `| page | cold | warm p50 | warm max | request starts | API answer | after the answer | API alone | target | |\n|---|---|---|---|---|---|---|---|---|---|\n`,
  );
  for (const row of rows) {
    const warm = summary(row.warm);
    process.stdout.write(
      `| ${row.name} | ${round(row.cold.shownMs)} | ${round(warm.p50)} | ${round(warm.max)} | ${round(warm.apiStart)} | ${round(warm.api)} | ${round(warm.afterApi)} | ${row.apiAlone.length > 0 ? round(percentile(row.apiAlone, 50)) : ''} | ${
        row.targetMs !== undefined ? `≤ ${row.targetMs}` : ''
      } | ${verdict(row)} |\n`,
    );
  }
  if (live.length > 0)
    process.stdout.write(
      `| live: a new session shows (from its POST) | ${round(live[0])} | ${round(percentile(live.slice(1), 50))} | ${round(Math.max(...live.slice(1)))} | | | | | | |\n`,
    );
  if (scroll) {
    const pageMs = scroll.pages.map((entry) => entry.ms);
    const long = (frames: number[]) => frames.filter((frame) => frame > 50).length;
    process.stdout.write(
      `\n| journey infinite scroll (${scroll.events} events) | p50 | p95 | max | count |\n|---|---|---|---|---|\n` +
        `| page of 100 appended: scroll to end → longer list shown, ms | ${round(percentile(pageMs, 50))} | ${round(percentile(pageMs, 95))} | ${round(Math.max(...pageMs))} | ${pageMs.length} |\n` +
        `| of which the API's answer, ms | ${round(percentile(scroll.apiMs, 50))} | ${round(percentile(scroll.apiMs, 95))} | ${round(Math.max(...scroll.apiMs))} | ${scroll.apiMs.length} |\n` +
        `| frame interval while loading, ms | ${round(percentile(scroll.loadingFrames, 50))} | ${round(percentile(scroll.loadingFrames, 95))} | ${round(Math.max(...scroll.loadingFrames))} | ${scroll.loadingFrames.length} frames, ${long(scroll.loadingFrames)} > 50 ms |\n` +
        `| frame interval scrolling the whole list, ms | ${round(percentile(scroll.browsingFrames, 50))} | ${round(percentile(scroll.browsingFrames, 95))} | ${round(Math.max(...scroll.browsingFrames))} | ${scroll.browsingFrames.length} frames, ${long(scroll.browsingFrames)} > 50 ms |\n` +
        `| long tasks (> 50 ms), ms | ${scroll.longTasks.length ? round(percentile(scroll.longTasks, 50)) : ''} | ${scroll.longTasks.length ? round(percentile(scroll.longTasks, 95)) : ''} | ${scroll.longTasks.length ? round(Math.max(...scroll.longTasks)) : ''} | ${scroll.longTasks.length} |\n`,
    );
  }
}

main().catch((error) => {
  process.stderr.write(`\nbench failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
