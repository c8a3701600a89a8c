import { Query } from '@nestjs/cqrs';
import { UserList } from '@waymark/read-model';
import { ListUsersParams } from '../../analytics.dto';
import { AnalyticsAccess } from '../../analytics-access';

/** The users of a tag: identifiers with first/last seen, session count and status. */
export class ListUsersQuery extends Query<UserList> {
  constructor(
    readonly params: ListUsersParams,
    readonly access: AnalyticsAccess,
  ) {
    super();
  }
}
