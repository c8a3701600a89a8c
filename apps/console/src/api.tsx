/**
 * The console's only way to the API: same origin, the key (if any) in the Authorization
 * header, never in a URL. Failures carry the problem+json `detail` so pages can show it.
 */
import { readKey } from './key-store';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

export type Params = Record<string, string | number | undefined | null | string[]>;

export function queryString(params: Params): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(name, Array.isArray(value) ? value.join(',') : String(value));
  }
  return search.toString();
}

export function authHeaders(key = readKey()): Record<string, string> {
  return key ? { authorization: `Bearer ${key}` } : {};
}

async function problemOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as { code?: string; detail?: string };
    return new ApiError(response.status, body.code ?? 'ERROR', body.detail ?? response.statusText);
  } catch {
    return new ApiError(response.status, 'ERROR', `${response.status} ${response.statusText}`);
  }
}

export async function apiGet<T>(path: string, params: Params = {}, options: { key?: string | null; signal?: AbortSignal } = {}): Promise<T> {
  const qs = queryString(params);
  let response: Response;
  try {
    response = await fetch(`${path}${qs ? `?${qs}` : ''}`, {
      headers: { accept: 'application/json', ...authHeaders(options.key === undefined ? readKey() : options.key) },
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', 'the API could not be reached');
  }
  if (!response.ok) throw await problemOf(response);
  return (await response.json()) as T;
}

/**
 * Server-sent events read with fetch, not EventSource: EventSource cannot send an
 * Authorization header, and the key must never go into the URL.
 */
export async function streamEvents(path: string, params: Params, onEvent: (type: string, data: unknown) => void, signal: AbortSignal): Promise<void> {
  const response = await fetch(`${path}?${queryString(params)}`, { headers: { accept: 'text/event-stream', ...authHeaders() }, signal });
  if (!response.ok || !response.body) throw await problemOf(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) type = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0) onEvent(type, JSON.parse(data.join('\n')));
    }
  }
}
