import { Query } from '@nestjs/cqrs';
import { Retention } from '@waymark/read-model';
import { RetentionParams } from '../../analytics.dto';
import { AnalyticsAccess } from '../../analytics-access';

/** Day-N retention of first-session-day cohorts. */
export class GetRetentionQuery extends Query<Retention> {
  constructor(
    readonly params: RetentionParams,
    readonly access: AnalyticsAccess,
  ) {
    super();
  }
}
