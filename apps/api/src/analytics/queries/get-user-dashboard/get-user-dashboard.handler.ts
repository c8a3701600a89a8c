import { UserDashboardRepository } from '@waymark/read-model';
import { analyticsHandler, userKeyOf } from '../../analytics-request';
import { chooseInterval } from '../../time-range';
import { GetUserDashboardQuery } from './get-user-dashboard.query';

export const GetUserDashboardHandler = analyticsHandler(GetUserDashboardQuery, UserDashboardRepository, (dashboards, { params, access }, requests) => {
  const { range } = requests.ranged(params, access, 7);
  return dashboards.build({ key: userKeyOf(params), range, interval: chooseInterval(range, params.interval), tz: params.tz });
});
