import { readFileSync, existsSync } from 'node:fs';
import { Browser, Page, chromium } from 'playwright-core';

/** Debian's chromium (`apt-get install chromium`, which .ci/run does): never a browser download. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether the browser tests can run here. Under CI a missing browser must fail the run
 * (the spec turns it into a failing test), never skip it quietly; on a developer's
 * machine without it, the browser tests skip.
 */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export const MUST_HAVE_CHROMIUM = process.env.CI === 'true';

export async function launchChromium(): Promise<Browser> {
  // As root (CI, these machines) Chromium's sandbox cannot start; the pages are our own.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/**
 * axe-core's WCAG 2 A/AA rules on the page as it is. axe is evaluated through the
 * DevTools protocol, so the console's CSP (script-src 'self') stays on while it runs.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(async () => {
    // Runs in the page (the root tsconfig has no DOM types): axe and document from its global.
    const { axe, document } = globalThis as unknown as {
      axe: { run: (context: unknown, options: unknown) => Promise<{ violations: AxeViolation[] }> };
      document: unknown;
    };
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
  });
  return result.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.map((node) => ({ target: node.target })),
  }));
}

/** Serious and critical findings, as lines a failure message can show. */
export function seriousOf(violations: AxeViolation[]): string[] {
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}
