import type { ResponseContract } from './response-contract';

/**
 * The answers of API processes the tests start as children (spawnBuiltApp) cannot be
 * hooked inside the server, so they are checked where the test receives them: `fetch`
 * (which the SDK uses too) is wrapped in every test file (jest setupFilesAfterEnv), and
 * every answer from an origin registered with `checkAnswersFrom` goes through that
 * origin's checker (spawned-api-answers.ts: the same ResponseContract as in-process apps'
 * answers, against the document the shipped app serves). A path no route matches (404,
 * 405) belongs to no operation and is not checked, nor is a streamed answer (SSE).
 *
 * This module stays light (types only): the app's module graph is loaded by the files
 * that spawn an API, not by every unit test.
 */
export interface AnswerChecker {
  contract: ResponseContract;
  /** The route (`/v1/products/:product/session-specs`) that serves `method` `pathname`, if any. */
  routeOf: (method: string, pathname: string) => string | undefined;
}

const watched = new Map<string, AnswerChecker>();

/** Checks every later answer from `baseUrl`'s origin (an API process this test file started). */
export function checkAnswersFrom(baseUrl: string, checker: AnswerChecker): void {
  watched.set(new URL(baseUrl).origin, checker);
}

/** Throws with every answer from a watched origin that the document does not describe. */
export function assertFetchedAnswersClean(): void {
  for (const checker of new Set(watched.values())) checker.contract.assertClean();
}

export function installFetchContract(): void {
  const original = globalThis.fetch;
  if ((original as { contractChecked?: boolean }).contractChecked) return;
  const checked = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await original(input, init);
    const url = new URL(input instanceof Request ? input.url : input.toString());
    const checker = watched.get(url.origin);
    if (!checker) return response;
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const route = checker.routeOf(method, url.pathname);
    const contentType = response.headers.get('content-type') ?? undefined;
    if (!route || contentType?.startsWith('text/event-stream')) return response;
    const body = method === 'HEAD' ? '' : await response.clone().text();
    checker.contract.check({ method, route, url: url.pathname + url.search, status: response.status, contentType, body });
    return response;
  };
  globalThis.fetch = Object.assign(checked, { contractChecked: true });
}
