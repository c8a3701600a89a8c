import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { JourneyPage, UserJourneyRepository } from '@waymark/read-model';
import { API_CONFIG } from '../../../config/api-config.provider';
import { ApiConfig } from '../../../config/api.config';
import { AnalyticsRequests, userKeyOf } from '../../analytics-request';
import { GetUserJourneyQuery } from './get-user-journey.query';

/** Page size when none is asked for; the most is JOURNEY_MAX_EVENTS. */
const DEFAULT_PAGE = 100;

@QueryHandler(GetUserJourneyQuery)
export class GetUserJourneyHandler implements IQueryHandler<GetUserJourneyQuery, JourneyPage> {
  constructor(
    private readonly requests: AnalyticsRequests,
    private readonly journeys: UserJourneyRepository,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  execute({ params, access }: GetUserJourneyQuery): Promise<JourneyPage> {
    // No range means the whole journey; a bound given alone is completed with all of time.
    const { range } = this.requests.openRanged(params, access);
    const { kind, status, name, processId, cursor } = params;
    const limit = Math.min(params.limit ?? DEFAULT_PAGE, this.config.journeyMaxEvents);
    return this.journeys.page({ key: userKeyOf(params), range, kind, status, name, processId, after: cursor, limit });
  }
}
