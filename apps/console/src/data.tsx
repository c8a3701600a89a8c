/**
 * Loading a view's data: one request per distinct URL, aborted when the view moves on,
 * and one component that shows loading, empty and error (the problem's `detail`).
 */
import { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, Params, apiGet } from './api';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; error: ApiError } | { state: 'ready'; data: T };

export function useApi<T>(path: string | null, params: Params): Loaded<T> {
  const key = path === null ? null : `${path}?${JSON.stringify(params)}`;
  // The answer is kept with the request it answers: a view whose request changed shows
  // "loading", never the previous request's answer for a render.
  const [answer, setAnswer] = useState<{ key: string | null; loaded: Loaded<T> }>({ key: null, loaded: { state: 'loading' } });
  useEffect(() => {
    if (key === null) return;
    const abort = new AbortController();
    apiGet<T>(path!, params, { signal: abort.signal }).then(
      (data) => setAnswer({ key, loaded: { state: 'ready', data } }),
      (error: unknown) => {
        if ((error as Error).name !== 'AbortError')
          setAnswer({ key, loaded: { state: 'error', error: error instanceof ApiError ? error : new ApiError(0, 'ERROR', String(error)) } });
      },
    );
    return () => abort.abort();
  }, [key]);
  return answer.key === key && key !== null ? answer.loaded : { state: 'loading' };
}

export function ErrorBox({ error }: { error: ApiError }) {
  return (
    <div class="error" role="alert">
      <strong>{error.status ? `${error.status} ${error.code}` : error.code}</strong>: <span class="detail">{error.detail}</span>
    </div>
  );
}

/** Renders `children(data)` once loaded; `isEmpty` decides when to say there is nothing. */
export function Show<T>({
  loaded,
  isEmpty,
  empty = 'Nothing in this range.',
  children,
}: {
  loaded: Loaded<T>;
  isEmpty?: (data: T) => boolean;
  empty?: string;
  children: (data: T) => ComponentChildren;
}) {
  if (loaded.state === 'loading')
    return (
      <p class="loading" role="status" aria-live="polite">
        Loading…
      </p>
    );
  if (loaded.state === 'error') return <ErrorBox error={loaded.error} />;
  if (isEmpty?.(loaded.data))
    return (
      <p class="empty" role="status">
        {empty}
      </p>
    );
  return <>{children(loaded.data)}</>;
}
