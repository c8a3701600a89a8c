import { Query } from '@nestjs/cqrs';
import { UserDashboard } from '@waymark/read-model';
import { UserDashboardParams } from '../../analytics.dto';
import { AnalyticsAccess } from '../../analytics-access';

/** One user's activity, latency and outcome timelines, peak hours and success rate. */
export class GetUserDashboardQuery extends Query<UserDashboard> {
  constructor(
    readonly params: UserDashboardParams,
    readonly access: AnalyticsAccess,
  ) {
    super();
  }
}
