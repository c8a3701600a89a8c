import { ClickHouseClient } from '@clickhouse/client';
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Clock, SessionCatalog } from '@waymark/domain';
import { CLICKHOUSE, Paths, PathsRepository, QueryLimits } from '@waymark/read-model';
import { CLOCK } from '../../../shared/domain.providers';
import { ANALYTICS_LIMITS } from '../../analytics-limits';
import { resolveScope } from '../../analytics-access';
import { resolveTimeRange } from '../../time-range';
import { GetPathsQuery } from './get-paths.query';

@QueryHandler(GetPathsQuery)
export class GetPathsHandler implements IQueryHandler<GetPathsQuery, Paths> {
  private readonly paths: PathsRepository;

  constructor(
    private readonly catalog: SessionCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CLICKHOUSE) clickhouse: ClickHouseClient,
    @Inject(ANALYTICS_LIMITS) limits: QueryLimits,
  ) {
    this.paths = new PathsRepository(clickhouse, limits);
  }

  execute({ params, access }: GetPathsQuery): Promise<Paths> {
    const scope = resolveScope(this.catalog, access, params.product, params.env, params.tag);
    const anchor =
      params.start !== undefined
        ? { step: params.start, direction: 'after' as const }
        : params.end !== undefined
          ? { step: params.end, direction: 'before' as const }
          : undefined;
    return this.paths.build({
      scope,
      range: resolveTimeRange(params, params.tz, this.clock(), 7),
      anchor,
      steps: params.steps,
      edges: params.edges,
      visitGapMinutes: params.visitGapMinutes,
    });
  }
}
