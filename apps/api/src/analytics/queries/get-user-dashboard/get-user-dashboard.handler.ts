import { ClickHouseClient } from '@clickhouse/client';
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Clock, SessionCatalog } from '@waymark/domain';
import { CLICKHOUSE, QueryLimits, UserDashboard, UserDashboardRepository } from '@waymark/read-model';
import { CLOCK } from '../../../shared/domain.providers';
import { ANALYTICS_LIMITS } from '../../analytics-limits';
import { resolveScope } from '../../analytics-access';
import { chooseInterval, resolveTimeRange } from '../../time-range';
import { GetUserDashboardQuery } from './get-user-dashboard.query';

@QueryHandler(GetUserDashboardQuery)
export class GetUserDashboardHandler implements IQueryHandler<GetUserDashboardQuery, UserDashboard> {
  private readonly dashboards: UserDashboardRepository;

  constructor(
    private readonly catalog: SessionCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CLICKHOUSE) clickhouse: ClickHouseClient,
    @Inject(ANALYTICS_LIMITS) limits: QueryLimits,
  ) {
    this.dashboards = new UserDashboardRepository(clickhouse, limits);
  }

  execute({ params, access }: GetUserDashboardQuery): Promise<UserDashboard> {
    resolveScope(this.catalog, access, params.product, params.env, params.tag);
    const range = resolveTimeRange(params, params.tz, this.clock(), 7);
    return this.dashboards.build({
      key: { product: params.product, env: params.env, tag: params.tag, identifier: params.identifier },
      range,
      interval: chooseInterval(range, params.interval),
      tz: params.tz,
    });
  }
}
