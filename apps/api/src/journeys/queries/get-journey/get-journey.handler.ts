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
    // An unknown product or env is the caller's mistake, not an empty journey. The tag
    // is not checked: journeys of a deleted spec's sessions stay readable.
    this.catalog.requireProduct(query.key.product, query.key.env);
    return this.journeys.find(query.key, query.limit);
  }
}
