import { ClickHouseClient } from '@clickhouse/client';
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Clock, SessionCatalog } from '@waymark/domain';
import { CLICKHOUSE, QueryLimits, TagDashboard, TagDashboardRepository } from '@waymark/read-model';
import { CLOCK } from '../../../shared/domain.providers';
import { ANALYTICS_LIMITS } from '../../analytics-limits';
import { resolveScope } from '../../analytics-access';
import { chooseInterval, resolveTimeRange } from '../../time-range';
import { GetTagDashboardQuery } from './get-tag-dashboard.query';

@QueryHandler(GetTagDashboardQuery)
export class GetTagDashboardHandler implements IQueryHandler<GetTagDashboardQuery, TagDashboard> {
  private readonly dashboards: TagDashboardRepository;

  constructor(
    private readonly catalog: SessionCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CLICKHOUSE) clickhouse: ClickHouseClient,
    @Inject(ANALYTICS_LIMITS) limits: QueryLimits,
  ) {
    this.dashboards = new TagDashboardRepository(clickhouse, limits);
  }

  execute({ params, access }: GetTagDashboardQuery): Promise<TagDashboard> {
    const scope = resolveScope(this.catalog, access, params.product, params.env, params.tag);
    const now = this.clock();
    const range = resolveTimeRange(params, params.tz, now, 7);
    return this.dashboards.build({ scope, range, interval: chooseInterval(range, params.interval), tz: params.tz, now });
  }
}
