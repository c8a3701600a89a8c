import { ClickHouseClient } from '@clickhouse/client';
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Clock, SessionCatalog } from '@waymark/domain';
import { CLICKHOUSE, QueryLimits, UserList, UsersRepository } from '@waymark/read-model';
import { CLOCK } from '../../../shared/domain.providers';
import { ANALYTICS_LIMITS } from '../../analytics-limits';
import { resolveScope } from '../../analytics-access';
import { resolveTimeRange } from '../../time-range';
import { ListUsersQuery } from './list-users.query';

@QueryHandler(ListUsersQuery)
export class ListUsersHandler implements IQueryHandler<ListUsersQuery, UserList> {
  private readonly users: UsersRepository;

  constructor(
    private readonly catalog: SessionCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CLICKHOUSE) clickhouse: ClickHouseClient,
    @Inject(ANALYTICS_LIMITS) limits: QueryLimits,
  ) {
    this.users = new UsersRepository(clickhouse, limits);
  }

  execute({ params, access }: ListUsersQuery): Promise<UserList> {
    const scope = resolveScope(this.catalog, access, params.product, params.env, params.tag);
    const now = this.clock();
    // Without from/to the list is every user; with them, users seen within the range.
    const seen = params.from !== undefined || params.to !== undefined ? resolveTimeRange(params, params.tz, now, 36_500) : undefined;
    return this.users.list({
      scope,
      now,
      seen,
      search: params.search,
      status: params.status,
      sort: params.sort,
      order: params.order,
      page: params.page,
      pageSize: params.pageSize,
    });
  }
}
