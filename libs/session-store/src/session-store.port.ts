import { EventEnvelope, SessionRecord } from '@waymark/domain';

export const SESSION_STORE = Symbol('SESSION_STORE');

export interface IdentifierSessionsQuery {
  product: string;
  env: string;
  tag: string;
  identifier: string;
  /** Only sessions live at this instant (not revoked, not past their end). */
  liveAt?: number;
  offset: number;
  limit: number;
}

export interface RevokedSession {
  sessionId: string;
  revokedAt: number;
  /** After this no token of the session can be valid, so it can be forgotten. */
  refreshExpiresAt: number;
}

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
  /**
   * Replaces the session if its stored version is still `expectedVersion` (compare
   * and set), appending the events in the same commit. Resolves false, having written
   * nothing, when another change got there first.
   */
  update(record: SessionRecord, expectedVersion: number, events: readonly EventEnvelope[]): Promise<boolean>;
  listByIdentifier(query: IdentifierSessionsQuery): Promise<{ total: number; records: SessionRecord[] }>;
  /** Revoked sessions that may still hold unexpired tokens at `now`. */
  listRevoked(now: number): Promise<RevokedSession[]>;
  /** Called after a revocation is durable, in this process. */
  onRevoked(listener: (revoked: RevokedSession) => void): void;
}
