import { ClickHouseClient } from '@clickhouse/client';
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Clock, SessionCatalog } from '@waymark/domain';
import { CLICKHOUSE, Funnel, FunnelRepository, QueryLimits } from '@waymark/read-model';
import { CLOCK } from '../../../shared/domain.providers';
import { ANALYTICS_LIMITS } from '../../analytics-limits';
import { resolveScope } from '../../analytics-access';
import { resolveTimeRange } from '../../time-range';
import { GetFunnelQuery } from './get-funnel.query';

@QueryHandler(GetFunnelQuery)
export class GetFunnelHandler implements IQueryHandler<GetFunnelQuery, Funnel> {
  private readonly funnels: FunnelRepository;

  constructor(
    private readonly catalog: SessionCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CLICKHOUSE) clickhouse: ClickHouseClient,
    @Inject(ANALYTICS_LIMITS) limits: QueryLimits,
  ) {
    this.funnels = new FunnelRepository(clickhouse, limits);
  }

  execute({ params, access }: GetFunnelQuery): Promise<Funnel> {
    const scope = resolveScope(this.catalog, access, params.product, params.env, params.tag);
    return this.funnels.build({ scope, range: resolveTimeRange(params, params.tz, this.clock(), 7), steps: params.steps, windowSeconds: params.window });
  }
}
