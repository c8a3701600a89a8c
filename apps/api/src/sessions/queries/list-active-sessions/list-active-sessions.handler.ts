import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { Clock, SessionCatalog, isLive, toIsoTimestamp } from '@waymark/domain';
import { SESSION_STORE, SessionStore } from '@waymark/session-store';
import { CLOCK } from '../../../shared/domain.providers';
import { ListActiveSessionsQuery, ListActiveSessionsResult } from './list-active-sessions.query';

/** A user's live sessions in a tag, newest first, from the session store (always current). */
@QueryHandler(ListActiveSessionsQuery)
export class ListActiveSessionsHandler implements IQueryHandler<ListActiveSessionsQuery, ListActiveSessionsResult> {
  constructor(
    private readonly catalog: SessionCatalog,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(query: ListActiveSessionsQuery): Promise<ListActiveSessionsResult> {
    this.catalog.requireProduct(query.product, query.env);
    const now = this.clock();
    const { total, records } = await this.store.listByIdentifier({
      product: query.product,
      env: query.env,
      tag: query.tag,
      identifier: query.identifier,
      liveAt: now,
      offset: (query.page - 1) * query.pageSize,
      limit: query.pageSize,
    });
    return {
      total,
      page: query.page,
      pageSize: query.pageSize,
      sessions: records.map((record) => ({
        sessionId: record.sessionId,
        startAt: toIsoTimestamp(record.startedAt),
        endAt: toIsoTimestamp(record.refreshExpiresAt),
        active: isLive(record, now),
      })),
    };
  }
}
