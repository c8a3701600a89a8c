import { UsersRepository } from '@waymark/read-model';
import { analyticsHandler } from '../../analytics-request';
import { ListUsersQuery } from './list-users.query';

export const ListUsersHandler = analyticsHandler(ListUsersQuery, UsersRepository, (users, { params, access }, requests) => {
  // Without from/to the list is every user; with them, users seen within the range.
  const { scope, now, range: seen } = requests.openRanged(params, access);
  const { search, status, sort, order, page, pageSize } = params;
  return users.list({ scope, now, seen, search, status, sort, order, page, pageSize });
});
