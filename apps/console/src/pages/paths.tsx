/**
 * Which sequences of steps users take after (or before) a step, as a Sankey: each
 * node's share of the paths and how many stop there (drop-off). A node's users (a click
 * on the node or its row) are those whose path has that step at that depth.
 */
import { Chart } from '../charts';
import { Show, useApi } from '../data';
import { Route, updateParams } from '../route';
import { DrillUsersList } from './drill';
import { formatNumber, formatPct, timeParams } from '../time';
import type { Paths, StepNames } from '@waymark/contract';

type PathNode = Paths['nodes'][number];

export type { Paths };

/** Activity names seen in the range, most frequent first, for the step pickers. */
export function useStepNames(route: Route): string[] {
  const time = timeParams(route);
  const loaded = useApi<StepNames>('/v1/analytics/steps', {
    product: route.params.product,
    tag: route.params.tag,
    env: route.params.env,
    ...time,
  });
  return loaded.state === 'ready' ? loaded.data.steps.map((row) => row.step) : [];
}

export function PathsPage({ route }: { route: Route }) {
  const { params } = route;
  const time = timeParams(route);
  const names = useStepNames(route);
  const direction = params.end ? 'before' : params.start ? 'after' : 'visit';
  const loaded = useApi<Paths>('/v1/analytics/paths', {
    product: params.product,
    tag: params.tag,
    env: params.env,
    ...time,
    start: params.start,
    end: params.end,
    steps: params.steps ?? 5,
    edges: params.edges ?? 50,
  });
  const anchor = params.start ?? params.end ?? '';
  return (
    <>
      <div class="filters">
        <label>
          Paths
          <select
            value={direction}
            onChange={(event) => {
              const value = event.currentTarget.value;
              updateParams(
                route,
                value === 'visit'
                  ? { start: undefined, end: undefined }
                  : value === 'after'
                    ? { start: anchor || names[0], end: undefined }
                    : { end: anchor || names[0], start: undefined },
              );
            }}
          >
            <option value="visit">from each visit's start</option>
            <option value="after">after a step</option>
            <option value="before">leading to a step</option>
          </select>
        </label>
        {direction !== 'visit' && (
          <label>
            Step
            <select
              value={anchor}
              onChange={(event) => updateParams(route, direction === 'after' ? { start: event.currentTarget.value } : { end: event.currentTarget.value })}
            >
              {[...new Set([anchor, ...names])].filter(Boolean).map((name) => (
                <option value={name}>{name}</option>
              ))}
            </select>
          </label>
        )}
        <label>
          Steps
          <input type="number" min={2} max={10} value={params.steps ?? 5} onChange={(event) => updateParams(route, { steps: event.currentTarget.value })} />
        </label>
        <label>
          Edges
          <input type="number" min={1} max={500} value={params.edges ?? 50} onChange={(event) => updateParams(route, { edges: event.currentTarget.value })} />
        </label>
      </div>
      <Show loaded={loaded} isEmpty={(data) => data.edges.length === 0} empty="No paths in this range.">
        {(data) => {
          // A node's users: those whose path has its step at its depth (the URL keeps both).
          const showUsers = (node: PathNode) => updateParams(route, { usersOf: node.step, usersAt: String(node.depth) });
          const outgoing = new Map<string, number>();
          for (const edge of data.edges) outgoing.set(edge.source, (outgoing.get(edge.source) ?? 0) + edge.visits);
          const maxDepth = Math.max(...data.nodes.map((node) => node.depth));
          return (
            <>
              <p class="summary">
                <span data-testid="paths-visits">{formatNumber(data.visits)}</span> paths{data.anchor ? ` ${data.anchor.direction} “${data.anchor.step}”` : ''}
              </p>
              <Chart
                label="Paths as a Sankey diagram"
                onClick={(clicked) => {
                  const node = data.nodes.find((candidate) => candidate.id === clicked.name);
                  if (clicked.dataType === 'node' && node) showUsers(node);
                }}
                height={Math.max(320, data.nodes.length * 18)}
                option={{
                  tooltip: { trigger: 'item' },
                  series: [
                    {
                      type: 'sankey',
                      nodeAlign: 'left',
                      emphasis: { focus: 'adjacency' },
                      data: data.nodes.map((node) => ({
                        name: node.id,
                        value: node.visits,
                        label: { formatter: `${node.step} (${formatPct(node.visits / data.visits)})` },
                      })),
                      links: data.edges.map((edge) => ({ source: edge.source, target: edge.target, value: edge.visits })),
                    },
                  ],
                }}
              />
              <div class="table-wrap">
                <table data-testid="path-nodes">
                  <caption>Steps by depth: paths and users through each, share of all paths, and paths that stop there</caption>
                  <thead>
                    <tr>
                      <th scope="col">Depth</th>
                      <th scope="col">Step</th>
                      <th scope="col" class="num">
                        Paths
                      </th>
                      <th scope="col" class="num">
                        Users
                      </th>
                      <th scope="col" class="num">
                        Share
                      </th>
                      <th scope="col" class="num">
                        Drop-off
                      </th>
                      <th scope="col">Who</th>
                    </tr>
                  </thead>
                  <tbody>
                    {[...data.nodes]
                      .sort((a, b) => a.depth - b.depth || b.visits - a.visits)
                      .map((node) => (
                        <tr>
                          <td>{node.depth}</td>
                          <th scope="row">{node.step}</th>
                          <td class="num">{formatNumber(node.visits)}</td>
                          <td class="num">{formatNumber(node.users)}</td>
                          <td class="num">{formatPct(node.visits / data.visits)}</td>
                          <td class="num">{node.depth === maxDepth ? '—' : formatNumber(node.visits - (outgoing.get(node.id) ?? 0))}</td>
                          <td>
                            <button type="button" class="link" onClick={() => showUsers(node)} aria-label={`Users with ${node.step} at depth ${node.depth}`}>
                              Users
                            </button>
                          </td>
                        </tr>
                      ))}
                  </tbody>
                </table>
              </div>
              {params.usersOf && (
                <DrillUsersList
                  route={route}
                  title={
                    params.usersAt ? `Users whose path has “${params.usersOf}” at depth ${params.usersAt}` : `Users with “${params.usersOf}” in this range`
                  }
                  path="/v1/analytics/users/by-step"
                  params={{
                    product: params.product,
                    tag: params.tag,
                    env: params.env,
                    ...time,
                    step: params.usersOf,
                    ...(params.usersAt ? { depth: params.usersAt, start: params.start, end: params.end, steps: params.steps ?? 5 } : {}),
                  }}
                  onClose={() => updateParams(route, { usersOf: undefined, usersAt: undefined })}
                />
              )}
            </>
          );
        }}
      </Show>
    </>
  );
}
