import { ReuseIncidentsRepository } from '@waymark/read-model';
import { analyticsHandler } from '../../analytics-request';
import { chooseInterval } from '../../time-range';
import { GetReuseIncidentsQuery } from './get-reuse-incidents.query';

export const GetReuseIncidentsHandler = analyticsHandler(GetReuseIncidentsQuery, ReuseIncidentsRepository, (incidents, { params, access }, requests) => {
  const { scope, range } = requests.ranged(params, access, 30);
  return incidents.build({ scope, range, interval: chooseInterval(range, params.interval), tz: params.tz, limit: params.limit, maxEvents: params.maxEvents });
});
