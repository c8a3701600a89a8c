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

/** One user's sessions in a product, whatever their env, tag and status (erasure, export). */
export interface UserSessionsQuery {
  product: string;
  identifier: string;
  /** Only these envs (absent or empty: every env). */
  envs?: readonly string[];
  /** Only these tags (absent or empty: every tag). */
  tags?: readonly string[];
}

/** What `eraseSessions` did. */
export interface ErasedSessions {
  /** Sessions whose records no longer hold personal data (emptied, deleted, or gone already). */
  erased: number;
  /** Sessions left as they were because they are live: revoke them first. */
  live: string[];
}

/** The latest use of a session one instance saw (verify, activity). */
export interface SessionUse {
  sessionId: string;
  lastUsedAt: number;
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
  /**
   * Moves sessions' `lastUsedAt` forward to the uses given (never back), without a new
   * version or an event: uses are not changes a compare-and-set should lose to, and the
   * log records what happened, not each verify. Sessions gone are skipped. Batched by
   * the caller (docs/session-timeouts.md): one call per flush, never one per verify.
   */
  recordUses(uses: readonly SessionUse[]): Promise<void>;
  /** Called after a revocation is durable, in this process. */
  onRevoked(listener: (revoked: RevokedSession) => void): void;
  /** Every session of one user in a product (any status), narrowed to envs and tags when given. */
  listOfUser(query: UserSessionsQuery): Promise<SessionRecord[]>;
  /**
   * Takes the personal data out of these sessions' records (erasure, docs/privacy.md): a
   * session past its end is deleted; a revoked one becomes a tombstone (`tombstoneOf`),
   * which keeps what refusing its tokens needs until they expire; a live one is left
   * as it is and listed (revoke it first). Writes no event: the revocations did. Once
   * it resolves no copy of the old records is left in the store's files that the
   * store can reach (the embedded store zeroes and checkpoints them).
   */
  eraseSessions(sessionIds: readonly string[], now: number): Promise<ErasedSessions>;
}

/**
 * A revoked session with nothing personal left: no identifier, no sealed data, no last
 * answer, no DPoP key thumbprint (it names the user's device, and a revoked session mints
 * no more tokens). Its id, scope, status, end and revocation stay, so its tokens are
 * refused (as revoked) until they expire; its refresh-token hashes stay too (hashes of
 * random secrets, which name nobody), so a refresh with one of them is refused as well.
 */
export function tombstoneOf(record: SessionRecord): SessionRecord {
  return { ...record, identifier: '', sealedData: '', lastRefreshSealed: null, jkt: undefined, version: record.version + 1 };
}

/** Whether a record still holds personal data. */
export function holdsPersonalData(record: SessionRecord): boolean {
  return record.identifier !== '' || record.sealedData !== '' || record.lastRefreshSealed !== null;
}
