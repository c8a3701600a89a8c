/**
 * What the console bench runs inside the page (Chromium), kept apart from the driver.
 * The root tsconfig has no DOM types, so each function names the few browser globals it
 * uses through `InPage`; these functions are serialised by playwright and never run in
 * Node.
 */

/** A Resource Timing entry as read here (times in ms since the page's navigation start). */
export interface ResourceTiming {
  name: string;
  startTime: number;
  responseEnd: number;
  transferSize: number;
}

interface Seen {
  [selector: string]: number;
}

interface InPage {
  document: {
    querySelector(selector: string): unknown;
    querySelectorAll(selector: string): { length: number };
    documentElement: { scrollHeight: number; clientHeight: number };
  };
  performance: { now(): number; getEntriesByType(type: string): ResourceTiming[] };
  requestAnimationFrame(callback: (time: number) => void): number;
  scrollTo(x: number, y: number): void;
  sessionStorage: { setItem(name: string, value: string): void };
  PerformanceObserver: new (callback: (list: { getEntries(): Array<{ duration: number }> }) => void) => {
    observe(options: { type: string; buffered?: boolean }): void;
    disconnect(): void;
  };
  __benchSeen?: Seen;
}

/**
 * Installed before any page script (playwright's init script, which the console's CSP
 * does not block): signs in with the read key as the sign-in form would, and records,
 * at each animation frame, when each watched selector first matches, in ms since the
 * navigation started (`performance.now()`). It stops once all have matched.
 */
export function watchSelectors(arg: { key: string; selectors: string[] }): void {
  const page = globalThis as unknown as InPage;
  try {
    page.sessionStorage.setItem('waymark.console.key', arg.key);
  } catch {
    // about:blank has no storage for the console's origin; the console's pages do.
  }
  const seen: Seen = {};
  page.__benchSeen = seen;
  const tick = () => {
    let missing = 0;
    for (const selector of arg.selectors) {
      if (selector in seen) continue;
      if (page.document.querySelector(selector)) seen[selector] = page.performance.now();
      else missing += 1;
    }
    if (missing > 0) page.requestAnimationFrame(tick);
  };
  page.requestAnimationFrame(tick);
}

export function allSeen(selectors: string[]): boolean {
  const seen = (globalThis as unknown as InPage).__benchSeen ?? {};
  return selectors.every((selector) => selector in seen);
}

export function readSeen(): { seen: Seen; resources: ResourceTiming[] } {
  const page = globalThis as unknown as InPage;
  const resources = page.performance
    .getEntriesByType('resource')
    .map((entry) => ({ name: entry.name, startTime: entry.startTime, responseEnd: entry.responseEnd, transferSize: entry.transferSize }));
  return { seen: { ...(page.__benchSeen ?? {}) }, resources };
}

export interface ScrollResult {
  /** One entry per page appended: ms from scrolling to the end until the longer list is on screen, and the events then shown. */
  pages: Array<{ ms: number; events: number }>;
  /** Intervals between animation frames while loading (scroll, fetch, append), ms. */
  loadingFrames: number[];
  /** Intervals between animation frames while scrolling back over the whole list, ms. */
  browsingFrames: number[];
  /** Long tasks (> 50 ms on the main thread) seen during both phases, ms each. */
  longTasks: number[];
  events: number;
  scrollHeight: number;
  timedOut: boolean;
}

/**
 * The journey's infinite scroll, all in the page: scroll to the end (the console's
 * IntersectionObserver then asks for the next 100), wait for the list to grow, again,
 * until the end note shows; frame intervals collected by requestAnimationFrame and long
 * tasks by PerformanceObserver throughout. Then the whole list is scrolled from the top
 * to the bottom a fixed step per frame, as a reader flicking through it would.
 */
export async function scrollJourney(arg: { itemSelector: string; endSelector: string; timeoutMs: number; browseFrames: number }): Promise<ScrollResult> {
  const page = globalThis as unknown as InPage;
  const count = () => page.document.querySelectorAll(arg.itemSelector).length;
  const nextFrame = () => new Promise<number>((resolve) => page.requestAnimationFrame(resolve));
  const longTasks: number[] = [];
  const observer = new page.PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longTasks.push(entry.duration);
  });
  observer.observe({ type: 'longtask' });

  const loadingFrames: number[] = [];
  let recording = true;
  let last = await nextFrame();
  const record = (time: number) => {
    loadingFrames.push(time - last);
    last = time;
    if (recording) page.requestAnimationFrame(record);
  };
  page.requestAnimationFrame(record);

  const pages: Array<{ ms: number; events: number }> = [];
  const started = page.performance.now();
  let timedOut = false;
  while (!page.document.querySelector(arg.endSelector)) {
    const before = count();
    const asked = page.performance.now();
    page.scrollTo(0, page.document.documentElement.scrollHeight);
    while (count() === before && !page.document.querySelector(arg.endSelector)) {
      await nextFrame();
      if (page.performance.now() - started > arg.timeoutMs) break;
    }
    if (page.performance.now() - started > arg.timeoutMs) {
      timedOut = true;
      break;
    }
    if (count() > before) pages.push({ ms: page.performance.now() - asked, events: count() });
  }
  recording = false;
  await nextFrame();

  // Browsing: top to bottom over browseFrames frames.
  page.scrollTo(0, 0);
  await nextFrame();
  const height = page.document.documentElement.scrollHeight - page.document.documentElement.clientHeight;
  const step = Math.max(1, Math.ceil(height / arg.browseFrames));
  const browsingFrames: number[] = [];
  let previous = await nextFrame();
  for (let y = step; y <= height + step; y += step) {
    page.scrollTo(0, Math.min(y, height));
    const now = await nextFrame();
    browsingFrames.push(now - previous);
    previous = now;
  }
  observer.disconnect();
  return { pages, loadingFrames, browsingFrames, longTasks, events: count(), scrollHeight: height, timedOut };
}
