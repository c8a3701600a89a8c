import { WaymarkError } from '@waymark/sdk';

/**
 * GET /v1/users/export as a byte stream. The SDK's `client.users.export` yields parsed
 * lines and cannot be cancelled; the CLI writes the answer as the service sent it and
 * stops the download at once on Ctrl-C (`signal`), so it calls the endpoint itself.
 * Refusals become the SDK's WaymarkError, as every other command reports them.
 */
export async function openUserExport(
  target: { baseUrl: string; apiKey: string },
  product: string,
  identifier: string,
  options: { signal: AbortSignal; timeoutMs: number },
): Promise<ReadableStream<Uint8Array>> {
  const baseUrl = target.baseUrl.replace(/\/+$/, '');
  const query = new URLSearchParams({ product, identifier }).toString();
  // The timeout bounds the wait for the answer to start, not the download.
  const waiting = new AbortController();
  const timer = setTimeout(() => waiting.abort(new Error(`no answer within ${options.timeoutMs / 1000} s`)), options.timeoutMs);
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/v1/users/export?${query}`, {
      headers: { authorization: `Bearer ${target.apiKey}`, accept: 'application/x-ndjson, application/problem+json' },
      signal: AbortSignal.any([options.signal, waiting.signal]),
    });
  } catch (error) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is its cause.
    const reason = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message;
    throw new WaymarkError({
      type: 'urn:waymark:problem:network-error',
      title: 'Network Error',
      status: 0,
      detail: `could not reach Waymark at ${baseUrl}: ${reason}`,
      code: 'NETWORK_ERROR',
    });
  } finally {
    clearTimeout(timer);
  }
  if (!response.ok || !response.body) throw await problemOf(response);
  return response.body;
}

/** A refusal's problem+json, or what the status line says when the body is not one (a proxy's error page, say). */
async function problemOf(response: Response): Promise<WaymarkError> {
  const text = await response.text().catch(() => '');
  const retryAfter = response.headers.get('retry-after');
  let problem: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) problem = parsed as Record<string, unknown>;
  } catch {
    problem = undefined;
  }
  const errors = Array.isArray(problem?.errors)
    ? (problem.errors as unknown[]).flatMap((entry) => {
        const field = entry as { field?: unknown; message?: unknown };
        return typeof field.field === 'string' ? [{ field: field.field, message: typeof field.message === 'string' ? field.message : '' }] : [];
      })
    : [];
  const text200 = text.trim().slice(0, 200);
  return new WaymarkError(
    {
      type: typeof problem?.type === 'string' ? problem.type : 'about:blank',
      title: typeof problem?.title === 'string' ? problem.title : response.statusText || 'Error',
      status: response.status,
      detail: typeof problem?.detail === 'string' ? problem.detail : text200 || response.statusText || 'no detail given',
      code: typeof problem?.code === 'string' ? problem.code : `HTTP_${response.status}`,
      errors,
    },
    retryAfter === null || !Number.isFinite(Number(retryAfter)) ? undefined : Number(retryAfter),
  );
}
