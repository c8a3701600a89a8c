import { EventMeta } from '../events/event-envelope';
import { SessionStateEvent } from '../events/waymark-events';
import { toIsoTimestamp } from '../time/clock';
import { LocalFacts, evolveDecided } from './evolve-session';
import { SessionRecord } from './session-record';

/** What every decision about an existing session needs besides the session itself. */
export interface DecisionContext {
  now: number;
  eventId: string;
  meta: EventMeta;
}

/**
 * What a decision about a session records. `events` is what the decision says
 * happened, and the only thing the log receives; `record` is not decided but derived:
 * `evolveSession`'s fold of the events over the session as it was.
 */
export interface SessionDecision<E extends SessionStateEvent> {
  events: [E];
  /** Beside the events, for the session store only; never logged. */
  local?: LocalFacts;
  /** The one event, `events[0]`. */
  event: E;
  /** The session after the events, as `evolveSession` folds them. */
  record: SessionRecord;
}

/** A decision of one event: the event and the session `evolveSession` makes of it. */
export function decided<E extends SessionStateEvent>(record: SessionRecord | undefined, event: E, local?: LocalFacts): SessionDecision<E> {
  return { events: [event], ...(local ? { local } : {}), event, record: evolveDecided(record, [event], local) };
}

/** The envelope fields of an event about `session`, decided at `context.now`. */
export function envelopeOf(session: Pick<SessionRecord, 'product' | 'env' | 'tag' | 'sessionId' | 'identifier'>, context: DecisionContext) {
  return {
    id: context.eventId,
    version: 1,
    occurredAt: toIsoTimestamp(context.now),
    product: session.product,
    env: session.env,
    tag: session.tag,
    sessionId: session.sessionId,
    identifier: session.identifier,
    meta: context.meta,
  };
}
