import { CliIo, UsageError } from '../cli-command';

/**
 * The two user endpoints (POST /v1/users/erase, GET /v1/users/export) called with fetch:
 * the SDK has no `users` methods yet, and an export must be read as a stream (NDJSON,
 * possibly large), which the SDK's JSON transport does not do.
 */
export interface ServiceTarget {
  baseUrl: string;
  apiKey: string;
}

/** A refusal of the service (problem+json, RFC 9457), or a failure to reach it (status 0). */
export class ServiceProblem extends Error {
  override name = 'ServiceProblem';

  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly code: string | undefined,
    readonly fieldErrors: ReadonlyArray<{ field: string; message: string }>,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(`${status} ${title}: ${detail}`);
  }

  /** What a person reads: status, title and code, the detail, then each field at fault on its own line. */
  describe(): string {
    const head = this.status === 0 ? this.title : `${this.status} ${this.title}${this.code ? ` (${this.code})` : ''}`;
    const fields = this.fieldErrors.map((field) => `\n  ${field.field}: ${field.message}`).join('');
    return `${head}: ${this.detail}${fields}`;
  }
}

/** --url / $WAYMARK_URL (default http://localhost:3000) and --key / $WAYMARK_API_KEY, as `replay --url` takes them. */
export function serviceTarget(values: Record<string, unknown>, io: CliIo, role: string): ServiceTarget {
  const apiKey = (values.key as string | undefined) ?? io.env.WAYMARK_API_KEY;
  if (!apiKey) throw new UsageError(`--key or WAYMARK_API_KEY is required (${role})`);
  const baseUrl = ((values.url as string | undefined) ?? io.env.WAYMARK_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]/.test(baseUrl)) throw new UsageError(`--url: an http(s) address is needed, not "${baseUrl}"`);
  return { baseUrl, apiKey };
}

async function send(target: ServiceTarget, path: string, init: RequestInit & { accept: string }): Promise<Response> {
  const { accept, headers, ...rest } = init;
  let response: Response;
  try {
    response = await fetch(`${target.baseUrl}${path}`, {
      ...rest,
      headers: { authorization: `Bearer ${target.apiKey}`, accept: `${accept}, application/problem+json`, ...(headers as Record<string, string>) },
    });
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new ServiceProblem(0, 'Network Error', `could not reach Waymark at ${target.baseUrl}: ${cause}`, 'NETWORK_ERROR', [], undefined);
  }
  if (!response.ok) throw await problemOf(response);
  return response;
}

/** A refusal's problem+json, or what the status line says when the body is not one (a proxy's HTML page, say). */
async function problemOf(response: Response): Promise<ServiceProblem> {
  const text = await response.text().catch(() => '');
  const retryAfter = response.headers.get('retry-after');
  const retryAfterSeconds = retryAfter === null || !Number.isFinite(Number(retryAfter)) ? undefined : Number(retryAfter);
  let body: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    body = undefined;
  }
  const errors = Array.isArray(body?.errors)
    ? (body.errors as unknown[]).flatMap((entry) => {
        const field = entry as { field?: unknown; message?: unknown };
        return typeof field.field === 'string' ? [{ field: field.field, message: typeof field.message === 'string' ? field.message : '' }] : [];
      })
    : [];
  const title = typeof body?.title === 'string' ? body.title : response.statusText || 'Error';
  const detail = typeof body?.detail === 'string' ? body.detail : text.trim().slice(0, 200) || response.statusText || 'no detail given';
  const code = typeof body?.code === 'string' ? body.code : undefined;
  return new ServiceProblem(response.status, title, detail, code, errors, retryAfterSeconds);
}

/**
 * The receipt's fields this command reads (libs/contract/src/users.ts erasureReceiptSchema
 * describes it whole); the rest is printed as the service sent it.
 */
export interface ErasureReceipt {
  product: string;
  identifier: string;
  erasedAt: string;
  scope: { envs: string[]; tags: string[]; wholeProduct: boolean };
  sessionsRevoked: number;
  sessionsErased: number;
  keyDestroyed: boolean;
  readModelRowsDeleted: Record<string, number>;
  eventId: string;
  kept: string[];
  repeated: boolean;
}

export interface EraseRequest {
  product: string;
  identifier: string;
  envs?: string[];
  tags?: string[];
}

/** POST /v1/users/erase: the receipt. An erasure waits for the read model, hence the long timeout. */
export async function eraseUser(target: ServiceTarget, request: EraseRequest, timeoutMs = 120_000): Promise<ErasureReceipt> {
  const response = await send(target, '/v1/users/erase', {
    method: 'POST',
    accept: 'application/json',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return (await response.json()) as ErasureReceipt;
}

/** GET /v1/users/export: the answer's body, still to be read (NDJSON). `signal` stops it (Ctrl-C). */
export async function exportUser(target: ServiceTarget, product: string, identifier: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const query = new URLSearchParams({ product, identifier }).toString();
  const response = await send(target, `/v1/users/export?${query}`, { method: 'GET', accept: 'application/x-ndjson', signal });
  if (!response.body) throw new ServiceProblem(response.status, 'Empty Answer', 'the export answered without a body', undefined, [], undefined);
  return response.body;
}
