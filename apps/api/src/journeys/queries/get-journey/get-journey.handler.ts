import { ClickHouseClient } from '@clickhouse/client';
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { SessionCatalog } from '@waymark/domain';
import { CLICKHOUSE, Journey, JourneyRepository } from '@waymark/read-model';
import { GetJourneyQuery } from './get-journey.query';

@QueryHandler(GetJourneyQuery)
export class GetJourneyHandler implements IQueryHandler<GetJourneyQuery, Journey> {
  private readonly journeys: JourneyRepository;

  constructor(
    private readonly catalog: SessionCatalog,
    @Inject(CLICKHOUSE) clickhouse: ClickHouseClient,
  ) {
    this.journeys = new JourneyRepository(clickhouse);
  }

  execute(query: GetJourneyQuery): Promise<Journey> {
    // An unknown product, env or tag is the caller's mistake, not an empty journey.
    this.catalog.resolve(query.key.product, query.key.env, query.key.tag);
    return this.journeys.find(query.key, query.limit);
  }
}
