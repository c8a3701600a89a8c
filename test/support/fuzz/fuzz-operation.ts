import fc from 'fast-check';
import { bodyPaths } from './body-paths';
import { LiveValues } from './live-values';
import { LogObserver } from '../log-observer';
import { Operation } from './openapi-operations';
import { HttpRequest, RequestTemplate, requestsFor, toHttp } from './request-arbitrary';
import { FuzzSettings } from './fuzz-settings';

export interface FuzzTarget {
  baseUrl: string;
  authorization: string;
  log: LogObserver;
  live: LiveValues;
  /** Requests that made the log grow: the suspects when the read model stops afterwards. */
  acknowledged: string[];
  /** The command that reruns one operation, without the seed and path. */
  rerun: (operation: Operation) => string;
}

/**
 * A refusal that records something on purpose: presenting a spent refresh token revokes
 * the session (RFC 9700 §4.14.2), and the revocation is an event like any other.
 */
const REFUSALS_THAT_RECORD = new Set(['REFRESH_TOKEN_REUSED']);

/**
 * Sends generated requests to one operation and checks what must hold for any input:
 * no 5xx (nor a dropped connection), a refusal is problem+json and appends nothing.
 * Throws with the seed, fast-check's path and the request bound to its live values.
 */
export async function fuzzOperation(operation: Operation, target: FuzzTarget, settings: FuzzSettings): Promise<void> {
  const property = fc.asyncProperty(requestsFor(operation, target.live), async (template) => {
    const request = toHttp(template, operation.path, target.live, target.baseUrl, target.authorization);
    const before = await target.log.events();
    let response: Response;
    try {
      response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body });
    } catch (error) {
      throw new Error(`no answer (${describeError(error)})\n${describe(template, request)}`, { cause: error });
    }
    const text = await response.text();
    const appended = (await target.log.events()) - before;
    const answer = `${response.status} ${response.headers.get('content-type') ?? '(no content type)'} ${truncate(text, 300)}`;
    if (response.status >= 500) throw new Error(`answered ${answer}\n${describe(template, request)}`);
    if (response.status >= 400) {
      if (!/^application\/problem\+json/.test(response.headers.get('content-type') ?? ''))
        throw new Error(`a refusal that is not problem+json: ${answer}\n${describe(template, request)}`);
      if (appended !== 0 && !REFUSALS_THAT_RECORD.has(codeOf(text)))
        throw new Error(`refused, yet ${appended} record(s) appended: ${answer}\n${describe(template, request)}`);
      return;
    }
    if (appended > 0) target.acknowledged.push(`${response.status} (+${appended}) ${describe(template, request)}`);
    if (response.headers.get('content-type')?.startsWith('application/json')) target.live.learn(JSON.parse(text));
  });

  const details = await fc.check(property, { seed: settings.seed, path: settings.path, numRuns: runsFor(operation, settings) });
  if (!details.failed) return;
  const cause =
    details.errorInstance instanceof Error
      ? details.errorInstance.message
      : details.errorInstance === undefined
        ? 'the run was interrupted'
        : JSON.stringify(details.errorInstance);
  throw new Error(
    `${operation.name}: ${cause}\n` +
      `after ${details.numRuns} request(s) and ${details.numShrinks} shrink(s); seed ${details.seed}, path "${details.counterexamplePath}"\n` +
      `reproduce: FUZZ_SEED=${details.seed} FUZZ_PATH="${details.counterexamplePath}" ${target.rerun(operation)}`,
  );
}

/**
 * An operation with many places for a boundary value (activity: two dozen, most of them
 * in each record) gets proportionally more requests, so each place is tried a few times.
 */
function runsFor(operation: Operation, settings: FuzzSettings): number {
  const places = (operation.body ? bodyPaths(operation.body.schema).length : 0) + operation.parameters.length;
  return settings.runsPerOperation * Math.max(1, Math.ceil(places / 10));
}

function describe(template: RequestTemplate, request: HttpRequest): string {
  const headers = Object.entries(request.headers)
    .filter(([name]) => name !== 'authorization')
    .map(([name, value]) => `${name}: ${truncate(value, 80)}`)
    .join('; ');
  return `  ${template.kind}: ${request.method} ${truncate(request.url, 300)}\n  headers: ${headers || '(none)'}\n  body: ${request.body === undefined ? '(none)' : truncate(request.body, 600)}`;
}

/** Head and tail of a long text: the tail is where a 10,000-level nesting shows its depth. */
function truncate(text: string, max: number): string {
  const escaped = (part: string) => JSON.stringify(part).slice(1, -1);
  if (text.length <= max) return escaped(text);
  const head = Math.ceil(max * 0.7);
  return `${escaped(text.slice(0, head))}…${escaped(text.slice(text.length - (max - head)))} (${text.length} characters)`;
}

function codeOf(problem: string): string {
  try {
    return String(JSON.parse(problem).code ?? '');
  } catch {
    return '';
  }
}

function describeError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? `${(cause as NodeJS.ErrnoException).code ?? cause.name}: ${cause.message}` : String(cause);
}
