import { TagDashboardRepository } from '@waymark/read-model';
import { analyticsHandler } from '../../analytics-request';
import { chooseInterval } from '../../time-range';
import { GetTagDashboardQuery } from './get-tag-dashboard.query';

export const GetTagDashboardHandler = analyticsHandler(GetTagDashboardQuery, TagDashboardRepository, (dashboards, { params, access }, requests) => {
  const { scope, range, now } = requests.ranged(params, access, 7);
  return dashboards.build({ scope, range, interval: chooseInterval(range, params.interval), tz: params.tz, now });
});
