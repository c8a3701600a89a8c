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

export interface SessionStartedData {
  expiresAt: string;
  refreshExpiresAt: string;
  /**
   * The session's user data, encrypted with the token key ring (compact JWE). The log
   * and the read model never hold user details in the clear; readers with the right
   * key decrypt them.
   */
  sealedData: string;
}

export interface SessionRefreshedData {
  generation: number;
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
};

/**
 * Spec events concern a product, not a session or a user: they carry the nil session
 * id and an empty identifier, so they never appear in anyone's journey.
 */
export const NO_SESSION_ID = '00000000-0000-0000-0000-000000000000';

/** The env and tag of an event that concerns every env and tag of a product (IdentifierErased). */
export const ALL_SCOPES = '*';
