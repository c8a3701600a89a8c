import { ClickHouseClient } from '@clickhouse/client';
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Clock, SessionCatalog } from '@waymark/domain';
import { CLICKHOUSE, QueryLimits, Retention, RetentionRepository } from '@waymark/read-model';
import { CLOCK } from '../../../shared/domain.providers';
import { ANALYTICS_LIMITS } from '../../analytics-limits';
import { resolveScope } from '../../analytics-access';
import { resolveTimeRange } from '../../time-range';
import { GetRetentionQuery } from './get-retention.query';

@QueryHandler(GetRetentionQuery)
export class GetRetentionHandler implements IQueryHandler<GetRetentionQuery, Retention> {
  private readonly retention: RetentionRepository;

  constructor(
    private readonly catalog: SessionCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CLICKHOUSE) clickhouse: ClickHouseClient,
    @Inject(ANALYTICS_LIMITS) limits: QueryLimits,
  ) {
    this.retention = new RetentionRepository(clickhouse, limits);
  }

  execute({ params, access }: GetRetentionQuery): Promise<Retention> {
    const scope = resolveScope(this.catalog, access, params.product, params.env, params.tag);
    const now = this.clock();
    // Cohorts of the last two weeks unless told otherwise.
    return this.retention.build({ scope, range: resolveTimeRange(params, params.tz, now, 14), days: params.days, tz: params.tz, now });
  }
}
