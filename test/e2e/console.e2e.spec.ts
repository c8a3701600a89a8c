import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { RunningApi, getJson, postJson, readJson, startApi } from '../support/api-app';
import { CHROMIUM, MUST_HAVE_CHROMIUM, axeViolations, chromiumAvailable, launchChromium, seriousOf } from '../support/console/browser';
import { EXPECTED, LONG_JOURNEY, SCOPE, consoleConfig, seedConsoleDataset, seedLongJourney } from '../support/console/dataset';
import { waitFor } from '../support/wait-for';

/** What the page's own global holds, for the few checks made in it (the root tsconfig has no DOM types). */
type PageGlobal = { innerWidth: number; document: { documentElement: { scrollWidth: number; dataset: Record<string, string | undefined> } } };

/** Screenshots of each page, kept with the docs (docs/console.md shows them). */
const SHOTS = join(__dirname, '..', '..', 'docs', 'console');
const DAY = 86_400_000;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The analyst console in a real browser (Debian's chromium through playwright-core)
 * against the API with a dataset of known answers: every number read from the page is
 * checked against the API and against the hand-worked answer, a view's URL restores it,
 * the live page shows an event made during the test, a wrong key shows the API's error,
 * and axe-core finds nothing serious on any page.
 */
const suite = chromiumAvailable() ? describe : describe.skip;

if (!chromiumAvailable() && MUST_HAVE_CHROMIUM) {
  it('has a browser to drive (CI never skips the console tests)', () => {
    throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package`);
  });
}

suite('console in a browser', () => {
  jest.setTimeout(120_000);
  let config: ReturnType<typeof consoleConfig>;
  let api: RunningApi;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const cspErrors: string[] = [];
  // Yesterday to tomorrow (dates, read in UTC): the dataset is made today.
  const range = { from: dateOf(Date.now() - DAY), to: dateOf(Date.now() + DAY) };
  const view = (name: string, extra: Record<string, string> = {}) => `${api.baseUrl}/console/${name}?${new URLSearchParams({ ...SCOPE, ...range, ...extra })}`;
  const apiGet = async (path: string, params: Record<string, string | number>) => {
    const response = await getJson(
      `${api.baseUrl}/v1/analytics/${path}?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))}`,
      { authorization: `Bearer ${config.readKey}` },
    );
    expect(response.status).toBe(200);
    return readJson(response);
  };
  const text = async (selector: string) => (await page.locator(selector).first().textContent({ timeout: 20_000 }))!.trim();
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  const accessible = async () => expect(seriousOf(await axeViolations(page))).toEqual([]);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    config = consoleConfig();
    api = await startApi({ WAYMARK_CONFIG: config.file });
    await seedConsoleDataset(api.baseUrl, config.secretKey);
    await waitFor(
      async () => (await apiGet('dashboard', { ...SCOPE, ...range })).activity.total,
      (total) => total === EXPECTED.activities,
      20_000,
      200,
    );
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    config?.remove();
  });

  it('asks for a key, shows the API’s error for a wrong one, and signs in with a read key', async () => {
    await page.goto(view('users'));
    await page.getByLabel('Read API key').fill('wmk_wrong_key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await text('[role=alert] .detail')).toBe('the API key is not valid');
    await accessible();
    await shot('sign-in-error');
    // The key was dropped: it is not kept after a refusal.
    expect(await page.evaluate(() => Object.keys((globalThis as unknown as { sessionStorage: object }).sessionStorage))).toEqual([]);
    await page.getByLabel('Read API key').fill(config.readKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-testid=users-total]').waitFor();
    expect(page.url()).not.toContain(config.readKey);
    expect(await page.locator('.banner').count()).toBe(0);
  });

  it('Users: the total and the rows the API answers', async () => {
    await page.goto(view('users'));
    const answer = await apiGet('users', { ...SCOPE, ...range });
    expect(answer.total).toBe(EXPECTED.users);
    expect(Number(await text('[data-testid=users-total]'))).toBe(answer.total);
    const identifiers = await page.locator('table.users tbody tr td:first-child').allTextContents();
    expect(identifiers).toEqual(answer.users.map((user: { identifier: string }) => user.identifier));
    await accessible();
    await shot('users');
    // Keyboard: the first Tab reaches "Skip to content", then the pages; a user opens with Enter.
    const focused = () =>
      page.evaluate(() =>
        (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent?.trim(),
      );
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Users');
    await page.getByRole('link', { name: 'bob' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/identifier=bob/);
    await page.goBack();
    await page.locator('[data-testid=users-total]').waitFor();
    // Filters are in the URL: inactive users are carol alone.
    await page.getByLabel('Status').selectOption('inactive');
    await page.waitForURL(/status=inactive/);
    await waitFor(
      async () => page.locator('table.users tbody tr').allTextContents(),
      (rows) => rows.length === 1 && rows[0].includes('carol'),
    );
  });

  it('User → journey → session, and the URL restores the view', async () => {
    await page.goto(view('users'));
    await page.getByRole('link', { name: 'alice' }).click();
    await page.waitForURL(/\/console\/user\?.*identifier=alice/);
    const profile = await apiGet('users/profile', { ...SCOPE, env: 'snd', identifier: 'alice' });
    expect(profile.sessionCount).toBe(2);
    expect(Number(await text('[data-testid=profile-sessions]'))).toBe(profile.sessionCount);
    expect(await text('[data-testid=profile-status]')).toBe(profile.status);
    const journey = await apiGet('users/journey', { ...SCOPE, env: 'snd', identifier: 'alice' });
    await page.locator('[data-testid=journey-count]').waitFor();
    expect(await page.locator('[data-testid=journey] li.event').count()).toBe(journey.items.length);
    expect(await page.locator('[data-testid=journey] li.session-group').count()).toBe(2);
    expect(await text('[data-testid=user-activities]')).toBe('5');
    await accessible();
    await shot('user');

    const newest = profile.sessions[0];
    await page.locator('table.sessions tbody tr').first().getByRole('link').click();
    await page.waitForURL(new RegExp(`session=${newest.sessionId}`));
    await page.locator('[data-testid=journey-count]').waitFor();
    expect(await page.locator('[data-testid=journey] li.event').count()).toBe(newest.eventCount);
    const sessionUrl = page.url();

    await page.reload();
    await page.locator('[data-testid=journey-count]').waitFor();
    expect(page.url()).toBe(sessionUrl);
    expect(await text('#journey-heading')).toContain(newest.sessionId.slice(-8));
    expect(await page.locator('[data-testid=journey] li.event').count()).toBe(newest.eventCount);
    await shot('session');
  });

  it(`User: the journey scrolls through all ${LONG_JOURNEY.records} events of a long one, a page of 100 at a time`, async () => {
    await seedLongJourney(api.baseUrl, config.secretKey);
    const user = { ...SCOPE, tag: LONG_JOURNEY.tag, env: LONG_JOURNEY.env, identifier: LONG_JOURNEY.identifier };
    const events = LONG_JOURNEY.records + 1;
    // Distributed mode projects through Kafka: until the first event is in, the profile is a 404.
    await waitFor(
      async () => {
        const response = await getJson(`${api.baseUrl}/v1/analytics/users/profile?${new URLSearchParams(user)}`, { authorization: `Bearer ${config.readKey}` });
        return response.status === 200 ? ((await readJson(response)) as { sessions?: { eventCount: number }[] }).sessions?.[0]?.eventCount : undefined;
      },
      (count) => count === events,
      30_000,
      250,
    );
    await page.goto(`${api.baseUrl}/console/user?${new URLSearchParams({ ...user, ...range })}`);
    // The first page alone, until the reader scrolls.
    await waitFor(
      () => page.locator('[data-testid=journey] li.event').count(),
      (count) => count === 100,
      20_000,
      100,
    );
    await page.waitForTimeout(300);
    expect(await page.locator('[data-testid=journey] li.event').count()).toBe(100);
    const started = Date.now();
    // Scrolling to the end of the list is what loads the next page (IntersectionObserver).
    while ((await page.locator('[data-testid=journey-count]').count()) === 0) {
      await page.keyboard.press('End');
      await page.waitForTimeout(20);
      if (Date.now() - started > 90_000) throw new Error(`the journey stopped at ${await page.locator('[data-testid=journey] li.event').count()} events`);
    }
    const took = Date.now() - started;
    expect(await page.locator('[data-testid=journey] li.event').count()).toBe(events);
    // The last event on the page is the API's last: the cursor walk missed and repeated nothing.
    let cursor: string | undefined;
    let last: { occurredAt: string } | undefined;
    do {
      const pageOf = await apiGet('users/journey', { ...user, limit: 1000, ...(cursor ? { cursor } : {}) });
      last = pageOf.items[pageOf.items.length - 1] ?? last;
      cursor = pageOf.nextCursor ?? undefined;
    } while (cursor);
    expect(await page.locator('[data-testid=journey] li.event time').last().getAttribute('datetime')).toBe(last!.occurredAt);
    process.stdout.write(`journey: ${events} events scrolled through in ${took} ms\n`);
  });

  it('Dashboard: KPI cards, envs and durations as the API answers them', async () => {
    await page.goto(view('dashboard'));
    const answer = await apiGet('dashboard', { ...SCOPE, ...range });
    expect(answer.users.total).toBe(EXPECTED.users);
    expect(answer.sessions.inRange).toBe(EXPECTED.sessions);
    expect(Number(await text('[data-testid=kpi-users]'))).toBe(answer.users.total);
    expect(Number(await text('[data-testid=kpi-sessions]'))).toBe(answer.sessions.inRange);
    expect(Number(await text('[data-testid=kpi-activity]'))).toBe(answer.activity.total);
    const envRows = await page.locator('[data-testid=envs] tr').allTextContents();
    expect(envRows).toHaveLength(answer.envs.length);
    expect(await page.locator('canvas').count()).toBeGreaterThanOrEqual(4);
    await accessible();
    await shot('dashboard');
  });

  it('Paths: the Sankey and its steps, as many paths as the API counts', async () => {
    await page.goto(view('paths'));
    const answer = await apiGet('paths', { ...SCOPE, ...range, steps: 5, edges: 50 });
    expect(Number(await text('[data-testid=paths-visits]'))).toBe(answer.visits);
    expect(await page.locator('[data-testid=path-nodes] tbody tr').count()).toBe(answer.nodes.length);
    // A node's users are those whose path has its step at its depth: home at depth 3 is bob's
    // home → search → home alone (home anywhere is all four), pay at depth 2 is dave's home → pay
    // (alice paid at depth 5). The drill's total is the node's users in the paths answer.
    const nodeOf = (id: string) => answer.nodes.find((node: { id: string }) => node.id === id);
    for (const [step, depth, users] of [
      ['home', 3, ['bob']],
      ['pay', 2, ['dave']],
      ['pay', 5, ['alice']],
    ] as const) {
      await page.getByRole('button', { name: `Users with ${step} at depth ${depth}` }).click();
      await page.waitForURL(new RegExp(`usersOf=${step}&usersAt=${depth}`));
      await page.getByRole('heading', { name: `Users whose path has “${step}” at depth ${depth}` }).waitFor();
      const listed = async () => (await page.locator('[data-testid=drill-users] a').allTextContents()).sort().join(',');
      expect(await waitFor(listed, (names) => names === users.join(','), 20_000, 50)).toBe(users.join(','));
      expect(Number(await text('[data-testid=drill-total]'))).toBe(nodeOf(`${depth}_${step}`).users);
      expect(nodeOf(`${depth}_${step}`).users).toBe(users.length);
    }
    await accessible();
    await shot('paths');
  });

  it('Funnels: users, conversion and drop-off per step', async () => {
    await page.goto(view('funnel', { steps: EXPECTED.funnel.steps.join(','), window: '86400' }));
    const answer = await apiGet('funnel', { ...SCOPE, ...range, steps: EXPECTED.funnel.steps.join(','), window: 86400 });
    expect(answer.steps.map((step: { users: number }) => step.users)).toEqual(EXPECTED.funnel.users);
    await page.locator('[data-testid=funnel-steps] tbody tr').first().waitFor();
    const rows = await page
      .locator('[data-testid=funnel-steps] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent)));
    expect(rows.map((row) => Number(row[1]))).toEqual(EXPECTED.funnel.users);
    expect(rows.map((row) => Number(row[4]))).toEqual(answer.steps.map((step: { dropOff: number }) => step.dropOff));
    // Who dropped off before cart: bob and dave reached home only.
    await page.locator('[data-testid=funnel-steps] tbody tr').nth(1).getByRole('button').click();
    await page.waitForURL(/dropped=2/);
    expect(Number(await text('[data-testid=drill-total]'))).toBe(answer.steps[1].dropOff);
    expect((await page.locator('[data-testid=drill-users] a').allTextContents()).sort()).toEqual(['bob', 'dave']);
    await accessible();
    await shot('funnel');
  });

  it('Retention: today’s cohort and its returns', async () => {
    await page.goto(view('retention'));
    const answer = await apiGet('retention', { ...SCOPE, ...range, days: 7 });
    const today = answer.cohorts.find((cohort: { users: number }) => cohort.users > 0);
    expect(today.users).toBe(EXPECTED.users);
    await page.locator('[data-testid=retention] tbody tr').first().waitFor();
    const cells = await page.locator('[data-testid=retention] tbody tr').first().locator('th, td').allTextContents();
    expect(cells[0]).toBe(today.cohort);
    expect(Number(cells[1])).toBe(today.users);
    expect(Number(cells[2])).toBe(today.returned[0]);
    await accessible();
    await shot('retention');
  });

  it('Live: an event started during the test appears', async () => {
    await page.goto(view('live'));
    await waitFor(
      () => text('[data-testid=live-state]'),
      (state) => state.startsWith('Connected'),
    );
    const started = await postJson(
      `${api.baseUrl}/v1/sessions`,
      { ...SCOPE, env: 'snd', data: { userId: 'live-visitor' } },
      { authorization: `Bearer ${config.secretKey}` },
    );
    expect(started.status).toBe(201);
    await page.locator('[data-testid=live-events] tbody tr', { hasText: 'live-visitor' }).first().waitFor({ timeout: 15_000 });
    await accessible();
    await shot('live');
  });

  it('works at phone width and in the dark theme, with no CSP violation anywhere', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(view('users'));
    await page.locator('[data-testid=users-total]').waitFor();
    const overflow = await page.evaluate(() => {
      const g = globalThis as unknown as PageGlobal;
      return g.document.documentElement.scrollWidth - g.innerWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('users-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(view('dashboard'));
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await page.locator('[data-testid=kpi-users]').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobal).document.documentElement.dataset.theme)).toBe('dark');
    await accessible();
    await shot('dashboard-dark');
    expect(cspErrors).toEqual([]);
  });
});
