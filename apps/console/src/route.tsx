/**
 * Every view's state is the URL: /console/<page>?product=…&tag=…&from=…, so a view can
 * be shared, bookmarked and reloaded. Pages read `route.params` and change it through
 * `navigate`, never through component state alone.
 */
import { useEffect, useState } from 'preact/hooks';

export const PAGES = ['users', 'user', 'dashboard', 'paths', 'funnel', 'retention', 'live'] as const;
export type Page = (typeof PAGES)[number];

export interface Route {
  page: Page;
  params: Record<string, string>;
}

/** Kept when moving between pages: what is being looked at and over which time. */
const SHARED = ['product', 'env', 'tag', 'range', 'from', 'to', 'tz'];

export function currentRoute(): Route {
  const name = location.pathname.replace(/^\/console\/?/, '').split('/')[0];
  const page = (PAGES as readonly string[]).includes(name) ? (name as Page) : 'users';
  return { page, params: Object.fromEntries(new URLSearchParams(location.search)) };
}

export function hrefOf(page: Page, params: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(name, value);
  const qs = search.toString();
  return `/console/${page}${qs ? `?${qs}` : ''}`;
}

/** The shared parameters of the current view, with page-specific ones added. */
export function carry(route: Route, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const kept: Record<string, string | undefined> = {};
  for (const name of SHARED) kept[name] = route.params[name];
  return { ...kept, ...extra };
}

export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** Changes some parameters of the current page (undefined removes one). */
export function updateParams(route: Route, changes: Record<string, string | undefined>, replace = false): void {
  navigate(hrefOf(route.page, { ...route.params, ...changes }), replace);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const onPop = () => setRoute(currentRoute());
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  return route;
}

/** A plain link that navigates in place (keeps ctrl/middle click as the browser's). */
export function onLinkClick(event: MouseEvent): void {
  const anchor = event.currentTarget as HTMLAnchorElement;
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(anchor.getAttribute('href')!);
}
