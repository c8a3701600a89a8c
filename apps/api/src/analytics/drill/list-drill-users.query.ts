import { Query } from '@nestjs/cqrs';
import { AnalyticsAccess } from '../analytics-access';
import { FunnelUsersParams, StepUsersParams } from './drill.dto';
import { DrillUsers } from './users-drill.reader';

/** The users behind a paths node (`step`) or a funnel level (`funnel`). */
export class ListDrillUsersQuery extends Query<DrillUsers> {
  constructor(
    readonly request: { kind: 'step'; params: StepUsersParams } | { kind: 'funnel'; params: FunnelUsersParams },
    readonly access: AnalyticsAccess,
  ) {
    super();
  }
}
