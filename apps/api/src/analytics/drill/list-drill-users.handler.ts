import { analyticsHandler } from '../analytics-request';
import { ListDrillUsersQuery, ListStepNamesQuery } from './list-drill-users.query';
import { UsersDrillReader } from './users-drill.reader';

/** Same default range as the paths and funnel views they drill into. */
const DEFAULT_DAYS = 7;

export const ListDrillUsersHandler = analyticsHandler(ListDrillUsersQuery, UsersDrillReader, (reader, { request, access }, requests) => {
  const { params } = request;
  const { scope, range } = requests.ranged(params, access, DEFAULT_DAYS);
  if (request.kind === 'step') {
    const { step, depth, start, end, steps, visitGapMinutes } = request.params;
    if (depth === undefined) return reader.withStep(scope, range, step, params.limit);
    const anchor =
      start !== undefined ? { step: start, direction: 'after' as const } : end !== undefined ? { step: end, direction: 'before' as const } : undefined;
    return reader.atPathNode({ scope, range, anchor, steps, visitGapMinutes }, step, depth, params.limit);
  }
  return reader.atFunnelLevel(
    scope,
    range,
    request.params.steps,
    request.params.window,
    Math.min(request.params.reached, request.params.steps.length),
    params.limit,
  );
});

export const ListStepNamesHandler = analyticsHandler(ListStepNamesQuery, UsersDrillReader, async (reader, { params, access }, requests) => {
  const { scope, range } = requests.ranged(params, access, DEFAULT_DAYS);
  return { steps: await reader.stepNames(scope, range) };
});
