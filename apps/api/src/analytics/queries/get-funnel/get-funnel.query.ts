import { Query } from '@nestjs/cqrs';
import { Funnel } from '@waymark/read-model';
import { FunnelParams } from '../../analytics.dto';
import { AnalyticsAccess } from '../../analytics-access';

/** Ordered funnel conversion within a window. */
export class GetFunnelQuery extends Query<Funnel> {
  constructor(
    readonly params: FunnelParams,
    readonly access: AnalyticsAccess,
  ) {
    super();
  }
}
