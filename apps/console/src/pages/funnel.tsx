/** How many users go through steps in order within a window, and where they drop off. */
import { useState } from 'preact/hooks';
import { Chart } from '../charts';
import { Show, useApi } from '../data';
import { Route, updateParams } from '../route';
import { formatNumber, formatPct, timeParams } from '../time';
import { useStepNames } from './paths';
import { DrillUsersList } from './drill';
import type { Funnel } from '@waymark/contract';

const WINDOWS: Record<string, string> = { '600': '10 minutes', '3600': '1 hour', '86400': '1 day', '604800': '7 days' };

export function FunnelPage({ route }: { route: Route }) {
  const { params } = route;
  const time = timeParams(route);
  const names = useStepNames(route);
  const steps = (params.steps ?? '').split(',').filter(Boolean);
  const [adding, setAdding] = useState('');
  const setSteps = (next: string[]) => updateParams(route, { steps: next.length > 0 ? next.join(',') : undefined });
  const loaded = useApi<Funnel>(steps.length >= 2 ? '/v1/analytics/funnel' : null, {
    product: params.product,
    tag: params.tag,
    env: params.env,
    ...time,
    steps,
    window: params.window ?? 86400,
  });
  return (
    <>
      <div class="filters">
        <ol class="steps" aria-label="Funnel steps">
          {steps.map((step, index) => (
            <li>
              <span>
                {index + 1}. {step}
              </span>{' '}
              <button type="button" aria-label={`Remove step ${step}`} onClick={() => setSteps(steps.filter((_, other) => other !== index))}>
                ×
              </button>
            </li>
          ))}
        </ol>
        <label>
          Add step
          <select value={adding} onChange={(event) => setAdding(event.currentTarget.value)}>
            <option value="">choose…</option>
            {names.map((name) => (
              <option value={name}>{name}</option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={!adding || steps.length >= 10}
          onClick={() => {
            setSteps([...steps, adding]);
            setAdding('');
          }}
        >
          Add
        </button>
        <label>
          Window
          <select value={params.window ?? '86400'} onChange={(event) => updateParams(route, { window: event.currentTarget.value })}>
            {Object.entries(WINDOWS).map(([seconds, label]) => (
              <option value={seconds}>{label}</option>
            ))}
          </select>
        </label>
      </div>
      {steps.length < 2 ? (
        <p class="empty">Add at least two steps, in the order users should take them.</p>
      ) : (
        <Show loaded={loaded} isEmpty={(data) => data.steps[0]?.users === 0} empty="No user took the first step in this range.">
          {(data) => (
            <>
              <Chart
                label="Users reaching each step"
                onClick={(clicked) => {
                  if (clicked.seriesName === 'dropped off' && clicked.dataIndex !== undefined && clicked.dataIndex > 0)
                    updateParams(route, { dropped: String(clicked.dataIndex + 1) });
                }}
                option={{
                  tooltip: { trigger: 'axis' },
                  legend: {},
                  xAxis: { type: 'category', data: data.steps.map((step) => step.step) },
                  yAxis: { type: 'value' },
                  series: [
                    { type: 'bar', stack: 'funnel', name: 'reached', data: data.steps.map((step) => step.users) },
                    { type: 'bar', stack: 'funnel', name: 'dropped off', data: data.steps.map((step) => step.dropOff) },
                  ],
                }}
              />
              <div class="table-wrap">
                <table data-testid="funnel-steps">
                  <thead>
                    <tr>
                      <th scope="col">Step</th>
                      <th scope="col" class="num">
                        Users
                      </th>
                      <th scope="col" class="num">
                        From start
                      </th>
                      <th scope="col" class="num">
                        From previous
                      </th>
                      <th scope="col" class="num">
                        Dropped off
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.steps.map((step, index) => (
                      <tr>
                        <th scope="row">{step.step}</th>
                        <td class="num">{formatNumber(step.users)}</td>
                        <td class="num">{formatPct(step.conversionFromStart)}</td>
                        <td class="num">{formatPct(step.conversionFromPrevious)}</td>
                        <td class="num">
                          {index > 0 && step.dropOff > 0 ? (
                            <button
                              type="button"
                              class="link"
                              onClick={() => updateParams(route, { dropped: String(index + 1) })}
                              aria-label={`${step.dropOff} users dropped off before ${step.step}: show them`}
                            >
                              {formatNumber(step.dropOff)}
                            </button>
                          ) : (
                            formatNumber(step.dropOff)
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {Number(params.dropped) >= 2 && Number(params.dropped) <= data.steps.length && (
                <DrillUsersList
                  route={route}
                  title={`Users who reached “${data.steps[Number(params.dropped) - 2].step}” but not “${data.steps[Number(params.dropped) - 1].step}”`}
                  path="/v1/analytics/funnel/users"
                  params={{
                    product: params.product,
                    tag: params.tag,
                    env: params.env,
                    ...time,
                    steps,
                    window: params.window ?? 86400,
                    reached: Number(params.dropped) - 1,
                  }}
                  onClose={() => updateParams(route, { dropped: undefined })}
                />
              )}
            </>
          )}
        </Show>
      )}
    </>
  );
}
