import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decideRevoke, RevokeReason, SessionRecord, sessionsToRevoke } from '@waymark/domain';
import { requireInScope, SessionCommands } from '../../session-commands';
import { RevokeSessionsCommand, RevokeSessionsResult } from './revoke-sessions.command';

const PAGE = 500;

/** Revokes one session, or every live session of one user in a tag (all but one, if asked). */
@CommandHandler(RevokeSessionsCommand)
export class RevokeSessionsHandler implements ICommandHandler<RevokeSessionsCommand, RevokeSessionsResult> {
  constructor(private readonly sessions: SessionCommands) {}

  async execute(command: RevokeSessionsCommand): Promise<RevokeSessionsResult> {
    const { target } = command;
    if ('sessionId' in target) {
      const record = requireInScope(await this.sessions.store.find(target.sessionId), command, target.sessionId);
      return { revoked: (await this.revoke(record, 'requested', command.requestId)) ? [record.sessionId] : [] };
    }

    const { product, env, tag } = command;
    const now = this.sessions.clock();
    const live: SessionRecord[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await this.sessions.store.listByIdentifier({ product, env, tag, identifier: target.identifier, liveAt: now, offset, limit: PAGE });
      live.push(...page.records);
      if (page.records.length < PAGE) break;
    }
    const chosen = sessionsToRevoke(live, target.exceptSessionId);
    // Issued together, the revocations share one group commit.
    const outcomes = await Promise.all(chosen.map((record) => this.revoke(record, 'identifier-revoked', command.requestId)));
    return { revoked: chosen.filter((_, index) => outcomes[index]).map((record) => record.sessionId) };
  }

  /** True when this call revoked it; false when it was revoked (or gone) already, by anyone. */
  private revoke(record: SessionRecord, reason: RevokeReason, requestId: string | undefined): Promise<boolean> {
    return this.sessions.run<boolean>(
      record.sessionId,
      'revoking',
      (current) => {
        const decision = current && decideRevoke(current, reason, this.sessions.context(requestId));
        return decision ? { kind: 'save', events: decision.events, answer: () => true } : { kind: 'answer', answer: false };
      },
      record,
    );
  }
}
