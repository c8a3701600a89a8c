import { WaymarkError } from './waymark-error';
import { Problem } from './types';

export interface TransportOptions {
  baseUrl: string;
  apiKey: string;
  /** Defaults to the global fetch (Node 18+). */
  fetch?: typeof fetch;
  timeoutMs?: number;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** JSON over HTTP with the API key; problem+json answers become WaymarkErrors. */
export class HttpTransport {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: TransportOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? fetch;
  }

  /**
   * A streamed answer's lines (NDJSON), parsed one by one as they arrive. The timeout
   * bounds the wait for the answer's head only: a long stream is not cut.
   */
  async *lines<T>(path: string, query?: Record<string, string | number | undefined>): AsyncGenerator<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('timed out waiting for the answer')), this.options.timeoutMs ?? 10_000);
    let response: Response;
    try {
      response = await this.fetchImpl(this.url(path, query), {
        headers: { authorization: `Bearer ${this.options.apiKey}`, accept: 'application/x-ndjson, application/problem+json' },
        signal: controller.signal,
      });
    } catch (error) {
      throw networkError(this.baseUrl, error);
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok || !response.body) {
      const text = await response.text();
      throw problemError(response, text);
    }
    const decoder = new TextDecoder();
    let pending = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      pending += decoder.decode(chunk, { stream: true });
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line.trim() !== '') yield JSON.parse(line) as T;
        newline = pending.indexOf('\n');
      }
    }
    pending += decoder.decode();
    if (pending.trim() !== '') yield JSON.parse(pending) as T;
  }

  private url(path: string, query?: Record<string, string | number | undefined>): string {
    const pairs: Array<[string, string]> = Object.entries(query ?? {}).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]]));
    const search = new URLSearchParams(pairs).toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
  }

  async request<T>(
    method: Method,
    path: string,
    body?: unknown,
    query?: Record<string, string | number | undefined>,
    headers: Record<string, string> = {},
  ): Promise<T> {
    let response: Response;
    try {
      response = await this.fetchImpl(this.url(path, query), {
        method,
        headers: {
          authorization: `Bearer ${this.options.apiKey}`,
          accept: 'application/json, application/problem+json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw networkError(this.baseUrl, error);
    }
    const text = await response.text();
    if (response.ok) return (text ? (JSON.parse(text) as unknown) : undefined) as T;
    throw problemError(response, text);
  }
}

function networkError(baseUrl: string, error: unknown): WaymarkError {
  return new WaymarkError({
    type: 'urn:waymark:problem:network-error',
    title: 'Network Error',
    status: 0,
    detail: `could not reach Waymark at ${baseUrl}: ${(error as Error).message}`,
    code: 'NETWORK_ERROR',
  });
}

/** A refusal's problem+json as a WaymarkError (with Retry-After when the answer had one). */
function problemError(response: Response, text: string): WaymarkError {
  const problem = (text ? (JSON.parse(text) as Problem) : undefined) ?? {
    type: 'about:blank',
    title: response.statusText,
    status: response.status,
    detail: response.statusText,
    code: `HTTP_${response.status}`,
  };
  const retryAfter = response.headers.get('retry-after');
  return new WaymarkError(problem, retryAfter === null ? undefined : Number(retryAfter));
}
