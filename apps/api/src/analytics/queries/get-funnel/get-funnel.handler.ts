import { FunnelRepository } from '@waymark/read-model';
import { analyticsHandler } from '../../analytics-request';
import { GetFunnelQuery } from './get-funnel.query';

export const GetFunnelHandler = analyticsHandler(GetFunnelQuery, FunnelRepository, (funnels, { params, access }, requests) => {
  const { scope, range } = requests.ranged(params, access, 7);
  return funnels.build({ scope, range, steps: params.steps, windowSeconds: params.window });
});
