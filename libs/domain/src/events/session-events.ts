import { EventEnvelope } from './event-envelope';
import type { RevokeReason } from '../sessions/session-record';
import type { SessionSpec } from '../specs/session-spec';

export const SESSION_STARTED = 'SessionStarted';
export const SESSION_REFRESHED = 'SessionRefreshed';
export const SESSION_REVOKED = 'SessionRevoked';
export const SESSION_EXTENDED = 'SessionExtended';
export const SESSION_ACTIVITY_RECORDED = 'SessionActivityRecorded';
export const SESSION_SPEC_CREATED = 'SessionSpecCreated';
export const SESSION_SPEC_UPDATED = 'SessionSpecUpdated';
export const SESSION_SPEC_DELETED = 'SessionSpecDeleted';
export const IDENTIFIER_ERASED = 'IdentifierErased';
export const REFRESH_TOKEN_REUSED = 'RefreshTokenReused';

export interface SessionStartedData {
  expiresAt: string;
  refreshExpiresAt: string;
  /**
   * The session's user data, encrypted with the token key ring (compact JWE). The log
   * and the read model never hold user details in the clear; readers with the right
   * key decrypt them.
   */
  sealedData: string;
  /**
   * The session's absolute end and idle timeout, from the spec at start, so that a fold
   * of the log alone knows them. Absent from events written before timeouts existed:
   * `legacyTimeoutsOf` then gives what such sessions had.
   */
  absoluteExpiresAt?: string;
  idleTimeoutMs?: number;
}

export interface SessionRefreshedData {
  generation: number;
  /**
   * The generation of the refresh token this rotation spent: its parent in the token
   * family (docs/token-lineage.md). A session's refresh tokens are named by generation
   * (0: minted at start, n: minted by the nth rotation), never by the token or its hash.
   * Absent in events written before lineage was recorded (it was then `generation − 1`).
   */
  parentGeneration?: number;
  expiresAt: string;
  refreshExpiresAt: string;
}

export interface SessionRevokedData {
  reason: RevokeReason;
}

export interface SessionExtendedData {
  refreshExpiresAt: string;
  previousRefreshExpiresAt: string;
}

/**
 * A spent refresh token was presented again outside the grace window (RFC 9700
 * §4.14.2): the session is revoked by the SessionRevoked decided with it. Changes no
 * session state itself.
 */
export interface RefreshTokenReusedData {
  /** The generation of the replayed (spent) refresh token. */
  replayedGeneration: number;
  /** The session's generation when it was replayed: that of its live refresh token. */
  currentGeneration: number;
  /**
   * When the replayed token was spent (the rotation to `replayedGeneration + 1`) and how
   * long before the replay; absent when the session record no longer knew (records
   * written before spent times were kept).
   */
  spentAt?: string;
  sinceSpentMs?: number;
  /**
   * The refresh request's metadata (`{ userAgent?, ip? }`, the end user's as the
   * product's backend reported them, else the HTTP request's own), sealed like session
   * data: with the token keys in this form, with the user's own key in the log
   * (PersonalDataCodec), so an erasure makes it unreadable. Absent when there was none.
   */
  sealedRequest?: string;
}

/** One call made on the user's behalf, as the product's backend reports it. */
export interface SessionActivityData {
  name: string;
  parent?: string;
  child?: string;
  status: string;
  latencyMs?: number;
  processId?: string;
  properties?: Record<string, unknown>;
}

export interface SessionSpecData {
  spec: SessionSpec;
  revision: number;
}

export interface SessionSpecDeletedData {
  revision: number;
}

/**
 * A user's data was erased (their key destroyed, their rows deleted). Carries no personal
 * data: the identifier is empty, the user is named only by their subject id, which
 * nothing can link back to them once their key is gone.
 */
export interface IdentifierErasedData {
  subject: string;
  /** The erasure's scope as asked (empty: every env and tag of the product). */
  envs: string[];
  tags: string[];
  sessionsRevoked: number;
  readModelRowsDeleted: number;
}

export type SessionStarted = EventEnvelope<typeof SESSION_STARTED, SessionStartedData>;
export type SessionRefreshed = EventEnvelope<typeof SESSION_REFRESHED, SessionRefreshedData>;
export type SessionRevoked = EventEnvelope<typeof SESSION_REVOKED, SessionRevokedData>;
export type SessionExtended = EventEnvelope<typeof SESSION_EXTENDED, SessionExtendedData>;
export type SessionActivityRecorded = EventEnvelope<typeof SESSION_ACTIVITY_RECORDED, SessionActivityData>;
export type SessionSpecCreated = EventEnvelope<typeof SESSION_SPEC_CREATED, SessionSpecData>;
export type SessionSpecUpdated = EventEnvelope<typeof SESSION_SPEC_UPDATED, SessionSpecData>;
export type SessionSpecDeleted = EventEnvelope<typeof SESSION_SPEC_DELETED, SessionSpecDeletedData>;
export type IdentifierErased = EventEnvelope<typeof IDENTIFIER_ERASED, IdentifierErasedData>;
export type RefreshTokenReused = EventEnvelope<typeof REFRESH_TOKEN_REUSED, RefreshTokenReusedData>;

/** Event types and the schema versions this build understands. */
export const KNOWN_EVENT_VERSIONS: Readonly<Record<string, readonly number[]>> = {
  [SESSION_STARTED]: [1],
  [SESSION_REFRESHED]: [1],
  [SESSION_REVOKED]: [1],
  [SESSION_EXTENDED]: [1],
  [SESSION_ACTIVITY_RECORDED]: [1],
  [SESSION_SPEC_CREATED]: [1],
  [SESSION_SPEC_UPDATED]: [1],
  [SESSION_SPEC_DELETED]: [1],
  [IDENTIFIER_ERASED]: [1],
  [REFRESH_TOKEN_REUSED]: [1],
};

/**
 * Spec events concern a product, not a session or a user: they carry the nil session
 * id and an empty identifier, so they never appear in anyone's journey.
 */
export const NO_SESSION_ID = '00000000-0000-0000-0000-000000000000';

/** The env and tag of an event that concerns every env and tag of a product (IdentifierErased). */
export const ALL_SCOPES = '*';
