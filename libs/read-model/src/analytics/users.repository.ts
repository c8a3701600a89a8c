import { ClickHouseClient } from '@clickhouse/client';
import { AnalyticsScope, QueryLimits, TimeRange, clickHouseTime, isoOf, rangeParams, runQuery, scopeParams } from './analytics-query';
import { USER_STATUS_SQL, UserStatus, sessionsSubquery } from './user-status';

export const USER_SORTS = ['lastSeen', 'firstSeen', 'sessions', 'identifier'] as const;
export type UserSort = (typeof USER_SORTS)[number];

/** ORDER BY text per sort key: fixed here, chosen by an allow-listed name. */
const ORDER_BY: Record<UserSort, string> = {
  lastSeen: 'last_seen',
  firstSeen: 'first_seen',
  sessions: 'sessions',
  identifier: 'identifier',
};

export interface UserListQuery {
  scope: AnalyticsScope;
  now: number;
  /** Case-insensitive substring of the identifier. */
  search?: string;
  status?: UserStatus;
  /** Users seen at some point within the range (first seen before its end, last seen after its start). */
  seen?: TimeRange;
  sort: UserSort;
  order: 'asc' | 'desc';
  page: number;
  pageSize: number;
}

export interface UserSummary {
  identifier: string;
  env: string;
  firstSeen: string;
  lastSeen: string;
  sessions: number;
  status: UserStatus;
}

export interface UserList {
  total: number;
  page: number;
  pageSize: number;
  users: UserSummary[];
}

interface Row {
  identifier: string;
  env: string;
  first_seen: string;
  last_seen: string;
  sessions: number;
  status: UserStatus;
  total: number;
}

/** The users of a tag from the sessions table (one row per session, not every event). */
export class UsersRepository {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly limits: QueryLimits,
  ) {}

  async list(query: UserListQuery): Promise<UserList> {
    const search = query.search ? `AND positionCaseInsensitive(identifier, {search:String}) > 0` : '';
    const having = [
      query.status ? `status = {status:String}` : '',
      query.seen ? `first_seen < {to:DateTime64(3, 'UTC')} AND last_seen >= {from:DateTime64(3, 'UTC')}` : '',
    ].filter(Boolean);
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    const rows = await runQuery<Row>(
      this.client,
      `SELECT identifier, env, min(first_at) AS first_seen, max(last_at) AS last_seen, count() AS sessions,
              ${USER_STATUS_SQL} AS status, count() OVER () AS total
       FROM (${sessionsSubquery(`product = {product:String} AND env IN {envs:Array(String)} AND tag = {tag:String} ${search}`)})
       GROUP BY env, identifier
       ${having.length > 0 ? `HAVING ${having.join(' AND ')}` : ''}
       ORDER BY ${ORDER_BY[query.sort]} ${direction}, identifier ASC, env ASC
       LIMIT {limit:UInt32} OFFSET {offset:UInt64}`,
      {
        ...scopeParams(query.scope),
        ...(query.seen ? rangeParams(query.seen) : {}),
        now: clickHouseTime(query.now),
        search: query.search ?? '',
        status: query.status ?? '',
        limit: query.pageSize,
        offset: (query.page - 1) * query.pageSize,
      },
      this.limits,
    );
    const total = rows.length > 0 ? Number(rows[0].total) : query.page > 1 ? await this.count(query) : 0;
    return {
      total,
      page: query.page,
      pageSize: query.pageSize,
      users: rows.map((row) => ({
        identifier: row.identifier,
        env: row.env,
        firstSeen: isoOf(row.first_seen)!,
        lastSeen: isoOf(row.last_seen)!,
        sessions: Number(row.sessions),
        status: row.status,
      })),
    };
  }

  /** The total when a page past the end came back empty (the window count had no row to ride on). */
  private async count(query: UserListQuery): Promise<number> {
    const all = await this.list({ ...query, page: 1, pageSize: 1 });
    return all.total;
  }
}
