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

  async request<T>(
    method: Method,
    path: string,
    body?: unknown,
    query?: Record<string, string | number | undefined>,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const pairs: Array<[string, string]> = Object.entries(query ?? {}).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]]));
    const search = new URLSearchParams(pairs).toString();
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}${search ? `?${search}` : ''}`, {
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
      throw new WaymarkError({
        type: 'urn:waymark:problem:network-error',
        title: 'Network Error',
        status: 0,
        detail: `could not reach Waymark at ${this.baseUrl}: ${(error as Error).message}`,
        code: 'NETWORK_ERROR',
      });
    }
    const text = await response.text();
    const payload = text ? (JSON.parse(text) as unknown) : undefined;
    if (response.ok) return payload as T;
    const problem = (payload as Problem | undefined) ?? {
      type: 'about:blank',
      title: response.statusText,
      status: response.status,
      detail: response.statusText,
      code: `HTTP_${response.status}`,
    };
    const retryAfter = response.headers.get('retry-after');
    throw new WaymarkError(problem, retryAfter === null ? undefined : Number(retryAfter));
  }
}
