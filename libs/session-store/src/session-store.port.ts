import { EventEnvelope, SessionRecord } from '@waymark/domain';

export const SESSION_STORE = Symbol('SESSION_STORE');

/**
 * Session state needed to refresh and revoke sessions. Every change is recorded
 * together with the events that describe it: the embedded store commits both in one
 * SQLite transaction; a distributed store must order them so that no acknowledged
 * change lacks its event.
 */
export interface SessionStore {
  /** Creates the session and appends its events; resolves once both are durable. */
  create(record: SessionRecord, events: readonly EventEnvelope[]): Promise<void>;
  find(sessionId: string): Promise<SessionRecord | undefined>;
}
