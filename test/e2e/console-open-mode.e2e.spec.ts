import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser } from 'playwright-core';
import { RunningApi, startApi } from '../support/api-app';
import { CHROMIUM, MUST_HAVE_CHROMIUM, axeViolations, chromiumAvailable, launchChromium, seriousOf } from '../support/console/browser';

const SHOTS = join(__dirname, '..', '..', 'docs', 'console');

/**
 * With no key configured at all the API runs in open development mode: the console asks
 * for no key and says, in a banner on every page, that the API accepts anonymous calls.
 * (Its own file: chDB opens one data directory per process, and the other browser spec
 * runs an API with keys.)
 */
const suite = chromiumAvailable() ? describe : describe.skip;

if (!chromiumAvailable() && MUST_HAVE_CHROMIUM) {
  it('has a browser to drive (CI never skips the console tests)', () => {
    throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package`);
  });
}

suite('console in open development mode', () => {
  jest.setTimeout(60_000);
  let api: RunningApi;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // The shipped example config has no apiKeys; no bootstrap key either.
    api = await startApi({ WAYMARK_BOOTSTRAP_KEY: '' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('needs no key and shows the banner', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(`${api.baseUrl}/console/dashboard`);
    expect(await page.locator('.banner').textContent({ timeout: 20_000 })).toContain('Open development mode');
    expect(await page.getByLabel('Read API key').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    // An empty read model: the page says so instead of drawing nothing.
    expect(await page.locator('main .empty').textContent({ timeout: 20_000 })).toBe('No users in this tag yet.');
    expect(seriousOf(await axeViolations(page))).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'open-development.png') });
  });
});
