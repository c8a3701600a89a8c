import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Clock, SessionCatalog } from '@waymark/domain';
import { CLOCK } from '../../shared/domain.providers';
import { resolveScope } from '../analytics-access';
import { resolveTimeRange } from '../time-range';
import { ListDrillUsersQuery, ListStepNamesQuery } from './list-drill-users.query';
import { DrillUsers, UsersDrillReader } from './users-drill.reader';

/** Same default range as the paths and funnel views they drill into. */
const DEFAULT_DAYS = 7;

@QueryHandler(ListDrillUsersQuery)
export class ListDrillUsersHandler implements IQueryHandler<ListDrillUsersQuery, DrillUsers> {
  constructor(
    private readonly catalog: SessionCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly reader: UsersDrillReader,
  ) {}

  execute({ request, access }: ListDrillUsersQuery): Promise<DrillUsers> {
    const { params } = request;
    const scope = resolveScope(this.catalog, access, params.product, params.env, params.tag);
    const range = resolveTimeRange(params, params.tz, this.clock(), DEFAULT_DAYS);
    if (request.kind === 'step') return this.reader.withStep(scope, range, request.params.step, params.limit);
    return this.reader.atFunnelLevel(
      scope,
      range,
      request.params.steps,
      request.params.window,
      Math.min(request.params.reached, request.params.steps.length),
      params.limit,
    );
  }
}

@QueryHandler(ListStepNamesQuery)
export class ListStepNamesHandler implements IQueryHandler<ListStepNamesQuery, { steps: Array<{ step: string; records: number }> }> {
  constructor(
    private readonly catalog: SessionCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly reader: UsersDrillReader,
  ) {}

  async execute({ params, access }: ListStepNamesQuery): Promise<{ steps: Array<{ step: string; records: number }> }> {
    const scope = resolveScope(this.catalog, access, params.product, params.env, params.tag);
    return { steps: await this.reader.stepNames(scope, resolveTimeRange(params, params.tz, this.clock(), DEFAULT_DAYS)) };
  }
}
