/**
 * Which methods each registered path answers, so that a wrong method on a known path
 * is told 405 with `Allow` rather than 404 (which says the path does not exist).
 * Fastify's router answers only "no route for this method and path"; it cannot say
 * which other methods the path has.
 */
export class RouteMethods {
  private readonly routes: Array<{ segments: string[]; methods: Set<string> }> = [];

  /** A route as Fastify registers it: `/v1/products/:product/session-specs`. */
  add(method: string | string[], url: string): void {
    const segments = splitPath(url);
    let route = this.routes.find((known) => known.segments.join('/') === segments.join('/'));
    if (!route) {
      route = { segments, methods: new Set() };
      this.routes.push(route);
    }
    for (const one of Array.isArray(method) ? method : [method]) route.methods.add(one.toUpperCase());
  }

  /** The methods some route answers at this concrete path (query ignored), sorted; empty if none. */
  allowedAt(url: string): string[] {
    const path = splitPath(url.split('?')[0]);
    const allowed = new Set<string>();
    for (const route of this.routes) {
      if (matches(route.segments, path)) route.methods.forEach((method) => allowed.add(method));
    }
    return [...allowed].sort();
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment, index) => index > 0 || segment !== '');
}

/** `:name` takes one non-empty segment, a trailing `*` the rest; everything else is literal. */
function matches(pattern: string[], path: string[]): boolean {
  for (let i = 0; i < pattern.length; i += 1) {
    const part = pattern[i];
    if (part === '*' && i === pattern.length - 1) return true;
    if (i >= path.length) return false;
    if (part.startsWith(':')) {
      if (path[i] === '') return false;
    } else if (part !== path[i]) {
      return false;
    }
  }
  return pattern.length === path.length;
}
