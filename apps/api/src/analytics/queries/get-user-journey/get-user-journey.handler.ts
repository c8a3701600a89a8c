import { ClickHouseClient } from '@clickhouse/client';
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Clock, SessionCatalog } from '@waymark/domain';
import { CLICKHOUSE, JourneyPage, QueryLimits, UserJourneyRepository } from '@waymark/read-model';
import { API_CONFIG } from '../../../config/api-config.provider';
import { ApiConfig } from '../../../config/api.config';
import { CLOCK } from '../../../shared/domain.providers';
import { ANALYTICS_LIMITS } from '../../analytics-limits';
import { resolveScope } from '../../analytics-access';
import { resolveTimeRange } from '../../time-range';
import { GetUserJourneyQuery } from './get-user-journey.query';

/** Page size when none is asked for; the most is JOURNEY_MAX_EVENTS. */
const DEFAULT_PAGE = 100;

@QueryHandler(GetUserJourneyQuery)
export class GetUserJourneyHandler implements IQueryHandler<GetUserJourneyQuery, JourneyPage> {
  private readonly journeys: UserJourneyRepository;

  constructor(
    private readonly catalog: SessionCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(CLICKHOUSE) clickhouse: ClickHouseClient,
    @Inject(ANALYTICS_LIMITS) limits: QueryLimits,
  ) {
    this.journeys = new UserJourneyRepository(clickhouse, limits);
  }

  execute({ params, access }: GetUserJourneyQuery): Promise<JourneyPage> {
    resolveScope(this.catalog, access, params.product, params.env, params.tag);
    // No range means the whole journey; a bound given alone is completed with all of time.
    const range = params.from !== undefined || params.to !== undefined ? resolveTimeRange(params, params.tz, this.clock(), 36_500) : undefined;
    return this.journeys.page({
      key: { product: params.product, env: params.env, tag: params.tag, identifier: params.identifier },
      range,
      kind: params.kind,
      status: params.status,
      name: params.name,
      processId: params.processId,
      after: params.cursor,
      limit: Math.min(params.limit ?? DEFAULT_PAGE, this.config.journeyMaxEvents),
    });
  }
}
