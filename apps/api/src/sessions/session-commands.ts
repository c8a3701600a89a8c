import { Inject, Injectable } from '@nestjs/common';
import { Clock, DecisionContext, DomainError, IdGenerator, SessionRecord, TimeoutReason, UseView, isInScope } from '@waymark/domain';
import { SESSION_STORE, SessionDecider, SessionStore, handleSessionCommand } from '@waymark/session-store';
import { CLOCK, ID_GENERATOR } from '../shared/domain.providers';
import { SessionUseTracker } from './session-use-tracker';

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
    private readonly uses: SessionUseTracker,
  ) {}

  /** What this instance knows of the session's use beyond its record (idle timeout). */
  useView(sessionId: string): UseView {
    return { lastUsedAt: this.uses.lastUse(sessionId), idleAllowanceMs: this.uses.idleAllowanceMs };
  }

  /** A use of the session that records no event (an extend with nothing left to add): kept like a verify's. */
  recordUse(record: SessionRecord, at: number): void {
    this.uses.touch(record.sessionId, at, record.idleTimeoutMs);
  }

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

/** The refusal of a session past its idle timeout or its absolute end, on the field the caller sent. */
export function timeoutRefusal(reason: TimeoutReason, field: string): DomainError {
  return reason === 'idle'
    ? DomainError.forField('SESSION_IDLE_TIMEOUT', field, 'the session was unused for longer than its idle timeout; start a new one')
    : DomainError.forField('SESSION_ABSOLUTE_TIMEOUT', field, 'the session reached its absolute lifetime; start a new one');
}
