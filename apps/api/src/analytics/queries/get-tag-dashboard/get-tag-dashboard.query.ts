import { Query } from '@nestjs/cqrs';
import { TagDashboard } from '@waymark/read-model';
import { TagDashboardParams } from '../../analytics.dto';
import { AnalyticsAccess } from '../../analytics-access';

/** A tag's users, sessions, active users, series, peak hours, envs, durations and outcomes. */
export class GetTagDashboardQuery extends Query<TagDashboard> {
  constructor(
    readonly params: TagDashboardParams,
    readonly access: AnalyticsAccess,
  ) {
    super();
  }
}
