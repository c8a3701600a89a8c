/**
 * How the tag is doing: KPI cards with the change against the previous period of the
 * same length, sessions over time, peak hours, envs, durations, outcomes, lifecycle.
 */
import { Chart } from '../charts';
import { Show, useApi } from '../data';
import { Route, updateParams } from '../route';
import { formatBucket, formatDuration, formatNumber, formatPct, previousPeriod, timeParams } from '../time';
import { Kpi } from './user';
import type { TagDashboard } from '@waymark/contract';

export type { TagDashboard };

const changeOf = (current: number, previous: number | undefined) => (previous === undefined || previous === 0 ? null : ((current - previous) / previous) * 100);

export function DashboardPage({ route }: { route: Route }) {
  const { params } = route;
  const time = timeParams(route);
  const scope = { product: params.product, tag: params.tag, env: params.env, interval: params.interval };
  const loaded = useApi<TagDashboard>('/v1/analytics/dashboard', { ...scope, ...time });
  // Asked once this period's answer is in: the KPIs show first, their change a moment later
  // (the two would otherwise share ClickHouse's cores and both arrive late).
  const before = useApi<TagDashboard>(loaded.state === 'ready' ? '/v1/analytics/dashboard' : null, { ...scope, ...previousPeriod(time) });
  const previous = before.state === 'ready' ? before.data : undefined;
  return (
    <>
      <div class="filters">
        <label>
          Buckets
          <select value={params.interval ?? ''} onChange={(event) => updateParams(route, { interval: event.currentTarget.value || undefined })}>
            <option value="">As the range suits</option>
            <option value="hour">Hours</option>
            <option value="day">Days</option>
          </select>
        </label>
      </div>
      <Show loaded={loaded} isEmpty={(data) => data.users.total === 0} empty="No users in this tag yet.">
        {(data) => {
          const hourly = data.sessionsOverTime.length > 1 && Date.parse(data.sessionsOverTime[1].at) - Date.parse(data.sessionsOverTime[0].at) < 86_400_000;
          const labels = data.sessionsOverTime.map((bucket) => formatBucket(bucket.at, time.tz, hourly));
          const hours = Array.from({ length: 24 }, (_, hour) => data.peakHours.find((row) => row.hour === hour)?.count ?? 0);
          return (
            <>
              <div class="kpis">
                <Kpi label="Users" value={formatNumber(data.users.total)} id="kpi-users" />
                <Kpi
                  label="Sessions started"
                  value={formatNumber(data.sessions.inRange)}
                  change={previous ? changeOf(data.sessions.inRange, previous.sessions.inRange) : undefined}
                  id="kpi-sessions"
                />
                <Kpi label="Live sessions" value={formatNumber(data.sessions.active)} id="kpi-active" />
                <Kpi label="Daily active users" value={formatNumber(data.dau.current)} change={data.dau.changePct} id="kpi-dau" />
                <Kpi label="Weekly active users" value={formatNumber(data.wau.current)} change={data.wau.changePct} />
                <Kpi label="Monthly active users" value={formatNumber(data.mau.current)} change={data.mau.changePct} />
                <Kpi
                  label="Activity records"
                  value={formatNumber(data.activity.total)}
                  change={previous ? changeOf(data.activity.total, previous.activity.total) : undefined}
                  id="kpi-activity"
                />
                <Kpi label="Success / error" value={`${formatPct(data.activity.successRate)} / ${formatPct(data.activity.errorRate)}`} id="kpi-rates" />
              </div>
              <div class="grid2">
                <section>
                  <h2>Sessions over time</h2>
                  <Chart
                    label="Sessions and users starting them per bucket"
                    option={{
                      tooltip: { trigger: 'axis' },
                      legend: {},
                      xAxis: { type: 'category', data: labels },
                      yAxis: { type: 'value' },
                      series: [
                        { type: 'line', name: 'sessions', data: data.sessionsOverTime.map((bucket) => bucket.sessions) },
                        { type: 'line', name: 'users', data: data.sessionsOverTime.map((bucket) => bucket.users) },
                      ],
                    }}
                  />
                </section>
                <section>
                  <h2>Peak hours ({time.tz})</h2>
                  <Chart
                    label="Activity per hour of the day"
                    height={160}
                    option={{
                      tooltip: {},
                      grid: { top: 10, bottom: 60 },
                      xAxis: { type: 'category', data: hours.map((_, hour) => String(hour)) },
                      yAxis: { type: 'category', data: ['activity'] },
                      visualMap: { min: 0, max: Math.max(1, ...hours), orient: 'horizontal', left: 'center', bottom: 0, calculable: false },
                      series: [{ type: 'heatmap', name: 'activity', data: hours.map((count, hour) => [hour, 0, count]) }],
                    }}
                  />
                </section>
                <section>
                  <h2>Lifecycle operations</h2>
                  <Chart
                    label="Starts, refreshes, revokes and extends per bucket"
                    option={{
                      tooltip: { trigger: 'axis' },
                      legend: {},
                      xAxis: { type: 'category', data: data.lifecycle.map((bucket) => formatBucket(bucket.at, time.tz, hourly)) },
                      yAxis: { type: 'value' },
                      series: (['start', 'refresh', 'revoke', 'extend'] as const).map((kind) => ({
                        type: 'bar',
                        stack: 'lifecycle',
                        name: kind,
                        data: data.lifecycle.map((bucket) => bucket[kind]),
                      })),
                    }}
                  />
                </section>
                <section>
                  <h2>Outcomes</h2>
                  <Chart
                    label="Activity outcomes"
                    option={{
                      tooltip: {},
                      xAxis: { type: 'category', data: ['success', 'error', 'other'] },
                      yAxis: { type: 'value' },
                      series: [{ type: 'bar', name: 'records', data: [data.activity.success, data.activity.errors, data.activity.other] }],
                    }}
                  />
                </section>
              </div>
              <div class="grid2">
                <section>
                  <h2>Envs</h2>
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">Env</th>
                        <th scope="col" class="num">
                          Users
                        </th>
                        <th scope="col" class="num">
                          Sessions
                        </th>
                        <th scope="col" class="num">
                          Events
                        </th>
                      </tr>
                    </thead>
                    <tbody data-testid="envs">
                      {data.envs.map((env) => (
                        <tr>
                          <th scope="row">{env.env}</th>
                          <td class="num">{formatNumber(env.users)}</td>
                          <td class="num">{formatNumber(env.sessions)}</td>
                          <td class="num">{formatNumber(env.events)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </section>
                <section>
                  <h2>Session duration</h2>
                  <dl class="facts">
                    <div>
                      <dt>p50</dt>
                      <dd data-testid="duration-p50">{formatDuration(data.sessionDurationMs.p50)}</dd>
                    </div>
                    <div>
                      <dt>p90</dt>
                      <dd>{formatDuration(data.sessionDurationMs.p90)}</dd>
                    </div>
                    <div>
                      <dt>p99</dt>
                      <dd>{formatDuration(data.sessionDurationMs.p99)}</dd>
                    </div>
                    <div>
                      <dt>average</dt>
                      <dd>{formatDuration(data.sessionDurationMs.average)}</dd>
                    </div>
                  </dl>
                  <p class="hint">
                    Users by status now: {formatNumber(data.users.active)} active, {formatNumber(data.users.inactive)} inactive,{' '}
                    {formatNumber(data.users.expired)} expired; {formatNumber(data.users.newThisWeek)} new this week.
                  </p>
                </section>
              </div>
            </>
          );
        }}
      </Show>
    </>
  );
}
