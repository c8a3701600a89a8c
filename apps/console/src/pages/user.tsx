/**
 * One user: profile and sessions, the journey as a timeline grouped by session (infinite
 * scroll over the cursor API, filters in the URL), and the user's dashboard charts.
 * Choosing a session narrows the journey to that session (`session=` in the URL).
 */
import { Component } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, apiGet } from '../api';
import { Chart } from '../charts';
import { ErrorBox, Show, useApi } from '../data';
import { Route, carry, hrefOf, onLinkClick, updateParams } from '../route';
import { formatBucket, formatDuration, formatNumber, formatPct, formatTime, timeParams } from '../time';
import type { UserDashboard, UserJourneyPage, UserProfile } from '@waymark/contract';

type SessionRow = UserProfile['sessions'][number];
type JourneyItem = UserJourneyPage['items'][number];

export function UserPage({ route }: { route: Route }) {
  const { params } = route;
  const time = timeParams(route);
  const known = Boolean(params.env && params.identifier);
  const user = { product: params.product, env: params.env, tag: params.tag, identifier: params.identifier };
  const profile = useApi<UserProfile>(known ? '/v1/analytics/users/profile' : null, { ...user, sessions: 50 });
  if (!known) return <p class="empty">Choose a user on the Users page (an env and an identifier).</p>;
  const session = params.session;
  return (
    <>
      <p class="crumbs">
        <a href={hrefOf('users', carry(route))} onClick={onLinkClick}>
          Users
        </a>{' '}
        › <span data-testid="user-identifier">{params.identifier}</span> ({params.env})
      </p>
      <Show loaded={profile}>
        {(data) => (
          <section aria-labelledby="profile-heading" class="card">
            <h2 id="profile-heading">Profile</h2>
            <dl class="facts">
              <div>
                <dt>Status</dt>
                <dd>
                  <span class={`status ${data.status}`} data-testid="profile-status">
                    {data.status}
                  </span>
                </dd>
              </div>
              <div>
                <dt>Sessions</dt>
                <dd data-testid="profile-sessions">{formatNumber(data.sessionCount)}</dd>
              </div>
              <div>
                <dt>First seen</dt>
                <dd>{formatTime(data.firstSeen, time.tz)}</dd>
              </div>
              <div>
                <dt>Last seen</dt>
                <dd>{formatTime(data.lastSeen, time.tz)}</dd>
              </div>
              <div class="wide">
                <dt>Latest data</dt>
                <dd>{data.dataRedacted ? <em>redacted for this key (needs the admin role)</em> : <code>{JSON.stringify(data.data)}</code>}</dd>
              </div>
            </dl>
            <div class="table-wrap">
              <table class="sessions">
                <caption>Sessions, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Session</th>
                    <th scope="col">Started</th>
                    <th scope="col">Ends</th>
                    <th scope="col">Duration</th>
                    <th scope="col">Status</th>
                    <th scope="col" class="num">
                      Events
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.sessions.map((row) => (
                    <tr aria-selected={row.sessionId === session}>
                      <td>
                        <a href={hrefOf('user', { ...params, session: row.sessionId })} onClick={onLinkClick} title={row.sessionId}>
                          {row.sessionId.slice(-8)}
                        </a>
                      </td>
                      <td>{formatTime(row.startedAt, time.tz)}</td>
                      <td>{formatTime(row.endsAt, time.tz)}</td>
                      <td>{formatDuration(row.durationMs)}</td>
                      <td>{row.active ? 'live' : row.revokedAt ? 'revoked' : 'ended'}</td>
                      <td class="num">{formatNumber(row.eventCount)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        )}
      </Show>
      <UserCharts route={route} />
      <Journey route={route} sessions={profile.state === 'ready' ? profile.data.sessions : []} />
    </>
  );
}

function UserCharts({ route }: { route: Route }) {
  const { params } = route;
  const time = timeParams(route);
  const loaded = useApi<UserDashboard>('/v1/analytics/users/dashboard', {
    product: params.product,
    env: params.env,
    tag: params.tag,
    identifier: params.identifier,
    ...time,
  });
  return (
    <section aria-labelledby="user-dashboard-heading">
      <h2 id="user-dashboard-heading">Activity in this range</h2>
      <Show loaded={loaded}>
        {(data) => {
          const hourly = data.activity.length > 1 && Date.parse(data.activity[1].at) - Date.parse(data.activity[0].at) < 86_400_000;
          const labels = data.activity.map((bucket) => formatBucket(bucket.at, time.tz, hourly));
          return (
            <>
              <div class="kpis">
                <Kpi label="Events" value={formatNumber(data.totals.events)} id="user-events" />
                <Kpi label="Activity records" value={formatNumber(data.totals.activities)} id="user-activities" />
                <Kpi label="Success rate" value={formatPct(data.totals.successRate)} />
                <Kpi label="Latency p50 / p95" value={`${formatDuration(data.totals.latencyP50Ms)} / ${formatDuration(data.totals.latencyP95Ms)}`} />
              </div>
              <div class="grid2">
                <Chart
                  caption
                  label="Activity per bucket"
                  option={{
                    tooltip: { trigger: 'axis' },
                    xAxis: { type: 'category', data: labels },
                    yAxis: { type: 'value' },
                    series: [{ type: 'bar', name: 'activity', data: data.activity.map((bucket) => bucket.count) }],
                  }}
                />
                <Chart
                  caption
                  label="Latency p50 and p95 (ms)"
                  option={{
                    tooltip: { trigger: 'axis' },
                    legend: {},
                    xAxis: { type: 'category', data: labels },
                    yAxis: { type: 'value', name: 'ms' },
                    series: [
                      { type: 'line', name: 'p50', connectNulls: true, data: data.latency.map((bucket) => bucket.p50Ms) },
                      { type: 'line', name: 'p95', connectNulls: true, data: data.latency.map((bucket) => bucket.p95Ms) },
                    ],
                  }}
                />
                <Chart
                  caption
                  label="Outcomes per bucket"
                  option={{
                    tooltip: { trigger: 'axis' },
                    legend: {},
                    xAxis: { type: 'category', data: labels },
                    yAxis: { type: 'value' },
                    series: (['success', 'error', 'other'] as const).map((outcome) => ({
                      type: 'bar',
                      stack: 'outcomes',
                      name: outcome,
                      data: data.outcomes.map((bucket) => bucket[outcome]),
                    })),
                  }}
                />
                <Chart
                  caption
                  label={`Activity by hour of the day (${time.tz})`}
                  option={{
                    tooltip: {},
                    xAxis: { type: 'category', data: Array.from({ length: 24 }, (_, hour) => String(hour)) },
                    yAxis: { type: 'value' },
                    series: [
                      {
                        type: 'bar',
                        name: 'activity',
                        data: Array.from({ length: 24 }, (_, hour) => data.peakHours.find((row) => row.hour === hour)?.count ?? 0),
                      },
                    ],
                  }}
                />
              </div>
            </>
          );
        }}
      </Show>
    </section>
  );
}

export function Kpi({ label, value, change, id }: { label: string; value: string; change?: number | null; id?: string }) {
  return (
    <div class="kpi">
      <div class="kpi-label">{label}</div>
      <div class="kpi-value" data-testid={id}>
        {value}
      </div>
      {change !== undefined && (
        <div class={`kpi-change ${change === null ? '' : change >= 0 ? 'up' : 'down'}`}>
          {change === null ? 'no previous data' : `${change >= 0 ? '+' : ''}${change.toFixed(1)}% vs previous`}
        </div>
      )}
    </div>
  );
}

const PAGE = 100;

function chunksOf(items: JourneyItem[]): JourneyItem[][] {
  const chunks: JourneyItem[][] = [];
  for (let start = 0; start < items.length; start += PAGE) chunks.push(items.slice(start, start + PAGE));
  return chunks;
}

/**
 * A hundred events, drawn once: appending a page re-renders only the chunk that grew,
 * so scrolling through thousands of events costs the same per page as the first.
 */
class EventChunk extends Component<{ items: JourneyItem[]; tz: string }> {
  override shouldComponentUpdate(next: { items: JourneyItem[]; tz: string }): boolean {
    return (
      next.tz !== this.props.tz ||
      next.items.length !== this.props.items.length ||
      next.items[next.items.length - 1]?.id !== this.props.items[this.props.items.length - 1]?.id
    );
  }

  override render() {
    const { items, tz } = this.props;
    return (
      <>
        {items.map((item) => (
          <li class={`event ${item.type === 'SessionActivityRecorded' ? 'activity' : 'lifecycle'} ${item.status ?? ''}`} data-type={item.type}>
            <time dateTime={item.occurredAt}>{formatTime(item.occurredAt, tz)}</time>
            <span class="what">{item.type === 'SessionActivityRecorded' ? item.name : item.type.replace(/^Session/, '')}</span>
            {item.status && <span class={`status ${item.status}`}>{item.status}</span>}
            {item.latencyMs !== undefined && item.latencyMs !== null && <span class="latency">{item.latencyMs} ms</span>}
            {item.processId && <span class="process">{item.processId}</span>}
          </li>
        ))}
      </>
    );
  }
}

/** The journey, a page at a time as the reader scrolls (IntersectionObserver on the list's end). */
function Journey({ route, sessions }: { route: Route; sessions: SessionRow[] }) {
  const { params } = route;
  const time = timeParams(route);
  const chosen = sessions.find((row) => row.sessionId === params.session);
  const query = {
    product: params.product,
    env: params.env,
    tag: params.tag,
    identifier: params.identifier,
    tz: time.tz,
    kind: params.kind,
    status: params.jstatus,
    name: params.jname,
    processId: params.jprocess,
    // One session: its own span of time (the journey API pages a user, not a session).
    from: chosen ? chosen.startedAt : undefined,
    to: chosen ? new Date(Date.parse(chosen.lastEventAt) + 1).toISOString() : undefined,
    limit: PAGE,
  };
  const key = JSON.stringify(query);
  const [items, setItems] = useState<JourneyItem[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const end = useRef<HTMLDivElement>(null);
  const generation = useRef(0);
  const load = (after: string | undefined, reset: boolean) => {
    const mine = ++generation.current;
    setBusy(true);
    apiGet<{ items: JourneyItem[]; nextCursor: string | null }>('/v1/analytics/users/journey', { ...query, cursor: after }).then(
      (page) => {
        if (mine !== generation.current) return;
        setItems((previous) => (reset ? page.items : [...previous, ...page.items]));
        setCursor(page.nextCursor);
        setBusy(false);
      },
      (failure: ApiError) => {
        if (mine !== generation.current) return;
        setError(failure);
        setBusy(false);
      },
    );
  };
  useEffect(() => {
    if (params.session && !chosen) return;
    setItems([]);
    setError(null);
    setCursor(undefined);
    load(undefined, true);
    // The query names the chosen session's span once the profile is in; without a chosen
    // session the profile arriving changes nothing, and must not restart the list.
  }, [key]);
  useEffect(() => {
    if (!end.current) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && cursor && !busy) load(cursor, false);
    });
    observer.observe(end.current);
    return () => observer.disconnect();
  }, [cursor, busy]);
  const shown = chosen ? items.filter((item) => item.sessionId === chosen.sessionId) : items;
  const groups: Array<{ sessionId: string; items: JourneyItem[] }> = [];
  for (const item of shown) {
    const last = groups[groups.length - 1];
    if (last && last.sessionId === item.sessionId) last.items.push(item);
    else groups.push({ sessionId: item.sessionId, items: [item] });
  }
  const filter = (name: string, value: string) => updateParams(route, { [name]: value || undefined }, true);
  return (
    <section aria-labelledby="journey-heading">
      <h2 id="journey-heading">Journey{chosen ? ` of session ${chosen.sessionId.slice(-8)}` : ''}</h2>
      {chosen && (
        <p>
          <a href={hrefOf('user', { ...params, session: undefined })} onClick={onLinkClick}>
            Show every session
          </a>
        </p>
      )}
      <div class="filters">
        <label>
          Kind
          <select value={params.kind ?? ''} onChange={(event) => filter('kind', event.currentTarget.value)}>
            <option value="">All</option>
            <option value="lifecycle">Lifecycle</option>
            <option value="activity">Activity</option>
          </select>
        </label>
        <label>
          Status
          <input value={params.jstatus ?? ''} onChange={(event) => filter('jstatus', event.currentTarget.value)} placeholder="success, error…" />
        </label>
        <label>
          Name
          <input value={params.jname ?? ''} onChange={(event) => filter('jname', event.currentTarget.value)} />
        </label>
        <label>
          Process id
          <input value={params.jprocess ?? ''} onChange={(event) => filter('jprocess', event.currentTarget.value)} />
        </label>
      </div>
      {error && <ErrorBox error={error} />}
      {!error && cursor === undefined && busy && (
        <p class="loading" role="status">
          Loading…
        </p>
      )}
      {!error && !busy && shown.length === 0 && (
        <p class="empty" role="status">
          No events.
        </p>
      )}
      <ol class="timeline" data-testid="journey">
        {groups.map((group) => (
          <li class="session-group" id={`session-${group.sessionId}`}>
            <h3>
              Session{' '}
              <a href={hrefOf('user', { ...params, session: group.sessionId })} onClick={onLinkClick}>
                {group.sessionId.slice(-8)}
              </a>
            </h3>
            <ol>
              {chunksOf(group.items).map((chunk) => (
                <EventChunk key={chunk[0].id} items={chunk} tz={time.tz} />
              ))}
            </ol>
          </li>
        ))}
      </ol>
      <div ref={end} class="scroll-end" aria-hidden="true" />
      {busy && cursor !== undefined && (
        <p class="loading" role="status">
          Loading more…
        </p>
      )}
      {cursor === null && shown.length > 0 && (
        <p class="end-note" data-testid="journey-count">
          {shown.length} events, the whole journey{chosen ? ' of this session' : ''}.
        </p>
      )}
    </section>
  );
}
