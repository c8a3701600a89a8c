/** Of the users whose first session fell on a day, how many came back N days later. */
import { Chart } from '../charts';
import { Show, useApi } from '../data';
import { Route, updateParams } from '../route';
import { formatNumber, formatPct, timeParams } from '../time';
import type { Retention } from '@waymark/contract';

export function RetentionPage({ route }: { route: Route }) {
  const { params } = route;
  const time = timeParams(route);
  const days = Number(params.days ?? '7');
  const loaded = useApi<Retention>('/v1/analytics/retention', { product: params.product, tag: params.tag, env: params.env, ...time, days });
  return (
    <>
      <div class="filters">
        <label>
          Days after
          <select value={String(days)} onChange={(event) => updateParams(route, { days: event.currentTarget.value })}>
            {[7, 14, 30].map((count) => (
              <option value={String(count)}>{count}</option>
            ))}
          </select>
        </label>
      </div>
      <Show loaded={loaded} isEmpty={(data) => data.cohorts.every((cohort) => cohort.users === 0)} empty="No new users in this range.">
        {(data) => {
          const cohorts = data.cohorts.filter((cohort) => cohort.users > 0);
          const cells = cohorts.flatMap((cohort, row) => cohort.rates.map((rate, day) => [day, row, rate === null ? '-' : Math.round(rate * 1000) / 10]));
          return (
            <>
              <Chart
                label="Retention by cohort day, percent returning"
                height={Math.max(240, cohorts.length * 28 + 80)}
                option={{
                  tooltip: {},
                  grid: { left: 90, bottom: 60 },
                  xAxis: { type: 'category', name: 'day', data: cohorts[0]?.rates.map((_, day) => `${day}`) ?? [] },
                  yAxis: { type: 'category', inverse: true, data: cohorts.map((cohort) => cohort.cohort) },
                  visualMap: { min: 0, max: 100, orient: 'horizontal', left: 'center', bottom: 0, calculable: false },
                  series: [{ type: 'heatmap', name: '% returning', data: cells, label: { show: true } }],
                }}
              />
              <div class="table-wrap">
                <table data-testid="retention">
                  <thead>
                    <tr>
                      <th scope="col">Cohort ({data.tz})</th>
                      <th scope="col" class="num">
                        Users
                      </th>
                      {cohorts[0]?.returned.map((_, day) => (
                        <th scope="col" class="num">
                          Day {day}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {cohorts.map((cohort) => (
                      <tr>
                        <th scope="row">{cohort.cohort}</th>
                        <td class="num">{formatNumber(cohort.users)}</td>
                        {cohort.returned.map((count, day) => (
                          <td class="num" title={formatPct(cohort.rates[day])}>
                            {count === null ? '—' : formatNumber(count)}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          );
        }}
      </Show>
    </>
  );
}
