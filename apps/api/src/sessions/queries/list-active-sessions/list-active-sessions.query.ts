import { Query } from '@nestjs/cqrs';

export interface ActiveSessionSummary {
  sessionId: string;
  startAt: string;
  endAt: string;
  active: boolean;
}

/** Ductape's `listActive` shape. */
export interface ListActiveSessionsResult {
  total: number;
  page: number;
  pageSize: number;
  sessions: ActiveSessionSummary[];
}

export class ListActiveSessionsQuery extends Query<ListActiveSessionsResult> {
  constructor(
    readonly product: string,
    readonly env: string,
    readonly tag: string,
    readonly identifier: string,
    readonly page: number,
    readonly pageSize: number,
  ) {
    super();
  }
}
