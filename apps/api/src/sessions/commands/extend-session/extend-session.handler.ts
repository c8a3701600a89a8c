import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock, decideExtend, DomainError, IdGenerator, isInScope, toIsoTimestamp } from '@waymark/domain';
import { SESSION_STORE, SessionStore } from '@waymark/session-store';
import { CLOCK, ID_GENERATOR } from '../../../shared/domain.providers';
import { ExtendSessionCommand, ExtendSessionResult } from './extend-session.command';

const MAX_ATTEMPTS = 4;

@CommandHandler(ExtendSessionCommand)
export class ExtendSessionHandler implements ICommandHandler<ExtendSessionCommand, ExtendSessionResult> {
  constructor(
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ID_GENERATOR) private readonly newId: IdGenerator,
  ) {}

  async execute(command: ExtendSessionCommand): Promise<ExtendSessionResult> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const record = await this.store.find(command.sessionId);
      if (!record || !isInScope(record, command)) {
        throw DomainError.forField('SESSION_NOT_FOUND', 'sessionId', `no session ${command.sessionId} in this product, env and tag`);
      }
      const context = { now: this.clock(), eventId: this.newId(), meta: { requestId: command.requestId, source: 'api' } };
      const decision = decideExtend(record, command.byMs ?? record.refreshTtlMs, context);
      if (decision.kind === 'refused') {
        const code = decision.reason === 'revoked' ? 'SESSION_REVOKED' : 'SESSION_EXPIRED';
        throw DomainError.forField(code, 'sessionId', `the session is ${decision.reason}; it cannot be extended`);
      }
      if (await this.store.update(decision.record, record.version, [decision.event])) {
        return { sessionId: record.sessionId, refreshExpiresAt: toIsoTimestamp(decision.record.refreshExpiresAt) };
      }
    }
    throw new DomainError('STORE_UNAVAILABLE', 'the session kept changing while extending; retry');
  }
}
