import { Inject, Injectable } from '@nestjs/common';
import { Clock, DecisionContext, DomainError, IdGenerator, SessionRecord, isInScope } from '@waymark/domain';
import { SESSION_STORE, SessionDecider, SessionStore, handleSessionCommand } from '@waymark/session-store';
import { CLOCK, ID_GENERATOR } from '../shared/domain.providers';

/**
 * What every session command handler needs, in one provider: the session store, the
 * decision context (now, a new event id, the request's meta), and `run`, which loads,
 * decides, evolves and saves with a bounded, jittered retry (`handleSessionCommand`).
 */
@Injectable()
export class SessionCommands {
  constructor(
    @Inject(SESSION_STORE) readonly store: SessionStore,
    @Inject(CLOCK) readonly clock: Clock,
    @Inject(ID_GENERATOR) readonly newId: IdGenerator,
  ) {}

  /** The context of one decision made now for the request `requestId`. */
  context(requestId: string | undefined): DecisionContext {
    return { now: this.clock(), eventId: this.newId(), meta: { requestId, source: 'api' } };
  }

  run<R>(sessionId: string, what: string, decide: SessionDecider<R>, initial?: SessionRecord): Promise<R> {
    return handleSessionCommand(this.store, sessionId, decide, { what, initial });
  }
}

/** The session, if it exists within the product, env and tag the request names; else SESSION_NOT_FOUND. */
export function requireInScope(record: SessionRecord | undefined, scope: { product: string; env: string; tag: string }, sessionId: string): SessionRecord {
  if (!record || !isInScope(record, scope)) {
    throw DomainError.forField('SESSION_NOT_FOUND', 'sessionId', `no session ${sessionId} in this product, env and tag`);
  }
  return record;
}
