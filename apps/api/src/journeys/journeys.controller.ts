import { Controller, Get, Inject, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetJourneyParams, getJourneyQuerySchema, Journey, journeySchema } from '@waymark/contract';
import { RequireRole } from '../auth/require-role.decorator';
import { API_CONFIG } from '../config/api-config.provider';
import { ApiConfig } from '../config/api.config';
import { ApiOperation } from '../openapi/api-operation.decorator';
import { GetJourneyQuery } from './queries/get-journey/get-journey.query';

@Controller('v1/journeys')
@RequireRole('read')
export class JourneysController {
  constructor(
    private readonly queries: QueryBus,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'getJourney',
    tag: 'journeys',
    summary: "One identifier's sessions and events, in time order",
    query: getJourneyQuerySchema,
    responses: { 200: { description: 'The journey', schema: journeySchema } },
    errors: ['PRODUCT_NOT_FOUND', 'ENV_NOT_FOUND'],
  })
  get(@Query() params: GetJourneyParams): Promise<Journey> {
    const limit = Math.min(params.limit ?? this.config.journeyMaxEvents, this.config.journeyMaxEvents);
    const { product, env, tag, identifier } = params;
    return this.queries.execute(new GetJourneyQuery({ product, env, tag, identifier }, limit));
  }
}
