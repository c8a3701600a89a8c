import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decideExtend, DomainError, toIsoTimestamp } from '@waymark/domain';
import { requireInScope, SessionCommands, timeoutRefusal } from '../../session-commands';
import { ExtendSessionCommand, ExtendSessionResult } from './extend-session.command';

/** Pushes a session's end out (`decideExtend`); by the session's own refresh lifetime unless told. */
@CommandHandler(ExtendSessionCommand)
export class ExtendSessionHandler implements ICommandHandler<ExtendSessionCommand, ExtendSessionResult> {
  constructor(private readonly sessions: SessionCommands) {}

  execute(command: ExtendSessionCommand): Promise<ExtendSessionResult> {
    return this.sessions.run(command.sessionId, 'extending', (loaded) => {
      const record = requireInScope(loaded, command, command.sessionId);
      const context = { ...this.sessions.context(command.requestId), ...this.sessions.useView(record.sessionId) };
      const decision = decideExtend(record, command.byMs ?? record.refreshTtlMs, context);
      if (decision.kind === 'refused') {
        if (decision.reason === 'idle' || decision.reason === 'absolute') throw timeoutRefusal(decision.reason, 'sessionId');
        const code = decision.reason === 'revoked' ? 'SESSION_REVOKED' : 'SESSION_EXPIRED';
        throw DomainError.forField(code, 'sessionId', `the session is ${decision.reason}; it cannot be extended`);
      }
      // Extending is clamped to the absolute end (decideExtend): already there, the answer is the end as it is.
      if (decision.kind === 'at-absolute-end') {
        this.sessions.recordUse(record, context.now);
        return { kind: 'answer', answer: { sessionId: record.sessionId, refreshExpiresAt: toIsoTimestamp(decision.refreshExpiresAt) } };
      }
      return {
        kind: 'save',
        events: decision.events,
        answer: (saved) => ({ sessionId: saved.sessionId, refreshExpiresAt: toIsoTimestamp(saved.refreshExpiresAt) }),
      };
    });
  }
}
