import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock, decideRevoke, DomainError, IdGenerator, isInScope, RevokeReason, SessionRecord } from '@waymark/domain';
import { SESSION_STORE, SessionStore } from '@waymark/session-store';
import { CLOCK, ID_GENERATOR } from '../../../shared/domain.providers';
import { RevokeSessionsCommand, RevokeSessionsResult } from './revoke-sessions.command';

const PAGE = 500;

/** Revokes one session, or every live session of one user in a tag (all but one, if asked). */
@CommandHandler(RevokeSessionsCommand)
export class RevokeSessionsHandler implements ICommandHandler<RevokeSessionsCommand, RevokeSessionsResult> {
  constructor(
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
  ) {}

  async execute(command: RevokeSessionsCommand): Promise<RevokeSessionsResult> {
    const { target } = command;
    if ('sessionId' in target) {
      const record = await this.store.find(target.sessionId);
      if (!record || !isInScope(record, command)) {
        throw DomainError.forField('SESSION_NOT_FOUND', 'sessionId', `no session ${target.sessionId} in this product, env and tag`);
      }
      return { revoked: (await this.revoke(record, 'requested', command.requestId)) ? [record.sessionId] : [] };
    }

    const now = this.clock();
    const live: SessionRecord[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.store.listByIdentifier({ ...command, identifier: target.identifier, liveAt: now, offset, limit: PAGE });
      live.push(...page.records);
      if (page.records.length < PAGE) break;
    }
    const chosen = live.filter((record) => record.sessionId !== target.exceptSessionId);
    // Issued together, the revocations share one group commit.
    const outcomes = await Promise.all(chosen.map((record) => this.revoke(record, 'identifier-revoked', command.requestId)));
    return { revoked: chosen.filter((_, index) => outcomes[index]).map((record) => record.sessionId) };
  }

  /** True when this call revoked it; retries on a concurrent change until revoked by someone. */
  private async revoke(record: SessionRecord, reason: RevokeReason, requestId: string | undefined): Promise<boolean> {
    let current: SessionRecord | undefined = record;
    while (current) {
      const decision = decideRevoke(current, reason, { now: this.clock(), eventId: this.newId(), meta: { requestId, source: 'api' } });
      if (!decision) return false;
      if (await this.store.update(decision.record, current.version, [decision.event])) return true;
      current = await this.store.find(record.sessionId);
    }
    return false;
  }
}
