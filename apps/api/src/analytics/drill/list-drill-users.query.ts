import { Query } from '@nestjs/cqrs';
import { AnalyticsAccess } from '../analytics-access';
import { FunnelUsersParams, StepNamesParams, StepUsersParams } from '@waymark/contract';
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

/** The activity names seen in a range (`records`: how many, counted without deduplication: an order, not a figure). */
export class ListStepNamesQuery extends Query<{ steps: Array<{ step: string; records: number }> }> {
  constructor(
    readonly params: StepNamesParams,
    readonly access: AnalyticsAccess,
  ) {
    super();
  }
}
