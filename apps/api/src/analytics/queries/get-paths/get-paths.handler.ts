import { PathsRepository } from '@waymark/read-model';
import { analyticsHandler } from '../../analytics-request';
import { GetPathsQuery } from './get-paths.query';

export const GetPathsHandler = analyticsHandler(GetPathsQuery, PathsRepository, (paths, { params, access }, requests) => {
  const { scope, range } = requests.ranged(params, access, 7);
  const anchor =
    params.start !== undefined
      ? { step: params.start, direction: 'after' as const }
      : params.end !== undefined
        ? { step: params.end, direction: 'before' as const }
        : undefined;
  return paths.build({ scope, range, anchor, steps: params.steps, edges: params.edges, visitGapMinutes: params.visitGapMinutes });
});
