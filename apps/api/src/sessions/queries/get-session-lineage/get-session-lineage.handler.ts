import { ClickHouseClient } from '@clickhouse/client';
import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { SessionLineageResponse } from '@waymark/contract';
import { Clock, DomainError, SessionCatalog, SessionRecord, isInScope, isLive } from '@waymark/domain';
import { UserDataOpener } from '@waymark/privacy';
import { CLICKHOUSE, LineageIncident, SessionLineageRepository } from '@waymark/read-model';
import { SESSION_STORE, SessionStore } from '@waymark/session-store';
import { CLOCK } from '../../../shared/domain.providers';
import { GetSessionLineageQuery } from './get-session-lineage.query';

/**
 * The family is read from the read model, not the log: in distributed mode the log is a
 * Kafka topic with no per-session lookup, while the read model finds a session's events
 * by its sort key in a few granules. The session store (always current) names the user
 * and says the session's status and live generation, so an answer made while the
 * projector lags says so (`complete: false`) instead of showing an older state as the
 * latest. A session the store no longer holds (ended, expired from Redis) is looked up in
 * the read model alone; one known to neither, or outside the scope named, is 404.
 */
@QueryHandler(GetSessionLineageQuery)
export class GetSessionLineageHandler implements IQueryHandler<GetSessionLineageQuery, SessionLineageResponse> {
  private readonly lineages: SessionLineageRepository;

  constructor(
    private readonly catalog: SessionCatalog,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Inject(CLICKHOUSE) clickhouse: ClickHouseClient,
    private readonly opener: UserDataOpener,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.lineages = new SessionLineageRepository(clickhouse);
  }

  async execute(query: GetSessionLineageQuery): Promise<SessionLineageResponse> {
    const { scope, sessionId } = query;
    this.catalog.requireProduct(scope.product, scope.env);
    const stored = await this.store.find(sessionId);
    const record = stored && isInScope(stored, scope) ? stored : undefined;
    // A tombstone (erased user) names nobody: the read model holds nothing of theirs either.
    const identifier = record ? record.identifier : stored ? undefined : await this.lineages.identifierOf(scope, sessionId);
    if (!identifier) throw DomainError.forField('SESSION_NOT_FOUND', 'sessionId', `no session ${sessionId} in this product, env and tag`);

    const lineage = await this.lineages.find({ ...scope, identifier, sessionId });
    if (!record && lineage.eventCount === 0) {
      throw DomainError.forField('SESSION_NOT_FOUND', 'sessionId', `no session ${sessionId} in this product, env and tag`);
    }
    const projectedGeneration = lineage.generations.reduce((highest, entry) => Math.max(highest, entry.generation), 0);
    const currentGeneration = record ? record.generation : projectedGeneration;
    const complete =
      lineage.generations.some((entry) => entry.generation === 0) &&
      projectedGeneration >= currentGeneration &&
      (record?.status !== 'revoked' || lineage.revocation !== null);
    return {
      sessionId,
      ...scope,
      identifier,
      status: this.statusOf(record, lineage.revocation !== null),
      currentGeneration,
      generations: lineage.generations,
      incidents: await Promise.all(lineage.incidents.map((incident) => this.open(scope.product, identifier, incident))),
      revocation: lineage.revocation,
      complete,
    };
  }

  private statusOf(record: SessionRecord | undefined, revokedInReadModel: boolean): SessionLineageResponse['status'] {
    if (record) return record.status === 'revoked' ? 'revoked' : isLive(record, this.clock()) ? 'active' : 'ended';
    return revokedInReadModel ? 'revoked' : 'ended';
  }

  /** The incident with its request metadata opened (with the user's key; the token keys for a value sealed before per-user keys). */
  private async open(product: string, identifier: string, incident: LineageIncident): Promise<SessionLineageResponse['incidents'][number]> {
    const { sealedRequest, ...rest } = incident;
    const opened = sealedRequest ? await this.opener.open(product, identifier, sealedRequest) : undefined;
    const request = opened
      ? {
          ...(typeof opened.userAgent === 'string' ? { userAgent: opened.userAgent } : {}),
          ...(typeof opened.ip === 'string' ? { ip: opened.ip } : {}),
        }
      : null;
    return { ...rest, request };
  }
}
