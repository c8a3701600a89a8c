/** The newest events of the tag, or of one user, as the projector writes them (SSE). */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, streamEvents } from '../api';
import { ErrorBox } from '../data';
import { Route, carry, hrefOf, onLinkClick, updateParams } from '../route';
import { formatTime } from '../time';
import type { LiveEvent } from '@waymark/contract';

const KEEP = 200;

export function LivePage({ route }: { route: Route }) {
  const { params } = route;
  const tz = params.tz || 'UTC';
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [state, setState] = useState<'connecting' | 'open' | 'closed'>('connecting');
  const [error, setError] = useState<ApiError | null>(null);
  const [identifier, setIdentifier] = useState(params.identifier ?? '');
  useEffect(() => {
    const abort = new AbortController();
    setEvents([]);
    setError(null);
    setState('connecting');
    const query = { product: params.product, tag: params.tag, env: params.env, identifier: params.identifier };
    streamEvents(
      '/v1/analytics/live',
      query,
      (type, data) => {
        if (type === 'ready') setState('open');
        if (type === 'events') setEvents((previous) => [...(data as LiveEvent[]).reverse(), ...previous].slice(0, KEEP));
      },
      abort.signal,
    ).then(
      () => setState('closed'),
      (failure: unknown) => {
        if ((failure as Error).name === 'AbortError') return;
        setState('closed');
        setError(failure instanceof ApiError ? failure : new ApiError(0, 'NETWORK', 'the live stream was interrupted'));
      },
    );
    return () => abort.abort();
  }, [params.product, params.tag, params.env, params.identifier]);
  return (
    <>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          updateParams(route, { identifier: identifier || undefined });
        }}
      >
        <label>
          One user (identifier; needs an env)
          <input value={identifier} onInput={(event) => setIdentifier(event.currentTarget.value)} />
        </label>
        <button type="submit">Follow</button>
        <span class={`live-state ${state}`} role="status" data-testid="live-state">
          {state === 'open' ? 'Connected: new events appear at the top' : state === 'connecting' ? 'Connecting…' : 'Disconnected'}
        </span>
      </form>
      {error && <ErrorBox error={error} />}
      {!error && events.length === 0 && <p class="empty">No events yet: waiting for new ones.</p>}
      <div class="table-wrap">
        <table data-testid="live-events">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Env</th>
              <th scope="col">User</th>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr key={event.id}>
                <td>
                  <time dateTime={event.occurredAt}>{formatTime(event.occurredAt, tz)}</time>
                </td>
                <td>{event.env}</td>
                <td>
                  {event.identifier ? (
                    <a href={hrefOf('user', carry(route, { env: event.env, identifier: event.identifier }))} onClick={onLinkClick}>
                      {event.identifier}
                    </a>
                  ) : (
                    '—'
                  )}
                </td>
                <td>{event.type === 'SessionActivityRecorded' ? event.name : event.type}</td>
                <td>{event.status ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
