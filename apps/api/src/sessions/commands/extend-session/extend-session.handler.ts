import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decideExtend, DomainError, toIsoTimestamp } from '@waymark/domain';
import { requireInScope, SessionCommands } from '../../session-commands';
import { ExtendSessionCommand, ExtendSessionResult } from './extend-session.command';

/** Pushes a session's end out (`decideExtend`); by the session's own refresh lifetime unless told. */
@CommandHandler(ExtendSessionCommand)
export class ExtendSessionHandler implements ICommandHandler<ExtendSessionCommand, ExtendSessionResult> {
  constructor(private readonly sessions: SessionCommands) {}

  execute(command: ExtendSessionCommand): Promise<ExtendSessionResult> {
    return this.sessions.run(command.sessionId, 'extending', (loaded) => {
      const record = requireInScope(loaded, command, command.sessionId);
      const decision = decideExtend(record, command.byMs ?? record.refreshTtlMs, this.sessions.context(command.requestId));
      if (decision.kind === 'refused') {
        const code = decision.reason === 'revoked' ? 'SESSION_REVOKED' : 'SESSION_EXPIRED';
        throw DomainError.forField(code, 'sessionId', `the session is ${decision.reason}; it cannot be extended`);
      }
      return {
        kind: 'save',
        events: decision.events,
        answer: (saved) => ({ sessionId: saved.sessionId, refreshExpiresAt: toIsoTimestamp(saved.refreshExpiresAt) }),
      };
    });
  }
}
