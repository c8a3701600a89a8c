import { toWholeSecond } from '../time/clock';
import { DEFAULT_ABSOLUTE_LIFETIME_MS } from './session-timeouts';

/** The state the service keeps per session to refresh and revoke it (never the tokens themselves). */
export type SessionStatus = 'active' | 'revoked';

/** `erased`: the user's data was erased (POST /v1/users/erase), which ends every session of theirs in scope. */
export const REVOKE_REASONS = ['requested', 'identifier-revoked', 'refresh-token-reuse', 'erased'] as const;
export type RevokeReason = (typeof REVOKE_REASONS)[number];

/** How many spent refresh-token hashes a session remembers, to recognise their reuse. */
export const SPENT_REFRESH_HASHES_KEPT = 8;

export interface SessionRecord {
  sessionId: string;
  product: string;
  env: string;
  tag: string;
  identifier: string;
  status: SessionStatus;
  startedAt: number;
  /** Expiry of the newest session token issued. */
  expiresAt: number;
  /** The session ends here: no refresh after it. */
  refreshExpiresAt: number;
  /** Lifetimes taken from the spec at start, so a later spec change or deletion never breaks the session. */
  tokenTtlMs: number;
  refreshTtlMs: number;
  /** The session's absolute end, from the spec at start: refresh and extend never pass it. */
  absoluteExpiresAt: number;
  /** From the spec at start: unused for longer than this, the session is over. */
  idleTimeoutMs: number;
  /**
   * The last use this store knows of: start, refresh and extend set it; verifies and
   * activity reach it in batches (docs/session-timeouts.md), never one write per use.
   */
  lastUsedAt: number;
  /**
   * The RFC 7638 thumbprint of the client's key the session is bound to (DPoP, docs/dpop.md):
   * every token minted for it carries `cnf.jkt`. Absent: not bound. Kept by the store only,
   * never in the log, like the refresh-token hash; a session folded from the log alone
   * cannot be refreshed, so it never mints a token that would need it.
   */
  jkt?: string;
  /** The session's data, encrypted with the key ring: refresh puts it into the new token. */
  sealedData: string;
  /** SHA-256 of the current refresh token's secret; the token itself is never stored. */
  refreshTokenHash: string;
  /** Hashes of spent refresh tokens, newest first; presenting one is reuse (RFC 9700 §4.14.2). */
  spentRefreshTokenHashes: string[];
  /**
   * When each spent hash was spent (the rotation that replaced it), index for index,
   * newest first; so a reuse incident can say how long after its spending a token came
   * back. Shorter, or absent, in records written before these were kept: unknown there.
   */
  spentRefreshTokenTimes?: number[];
  /** When the current refresh token was minted by a refresh (null before the first refresh). */
  rotatedAt: number | null;
  /**
   * The answer to the last refresh, encrypted with the key ring, so that a client
   * retrying the same refresh within the grace window gets the same tokens back.
   */
  lastRefreshSealed: string | null;
  /** Refresh generation: 0 at start, +1 per rotation. */
  generation: number;
  /** Increments on every change; updates compare and set it. */
  version: number;
  revokedAt: number | null;
  revokeReason: RevokeReason | null;
}

/**
 * A record stored before sessions had timeouts gets what a session of that time had: no
 * idle limit beyond its refresh window, and the default absolute lifetime from its start
 * but never an end earlier than the one it was promised. Every store and fold uses this.
 */
export function legacyTimeoutsOf(record: Pick<SessionRecord, 'startedAt' | 'refreshExpiresAt' | 'refreshTtlMs' | 'rotatedAt'>) {
  return {
    absoluteExpiresAt: Math.max(record.refreshExpiresAt, toWholeSecond(record.startedAt + DEFAULT_ABSOLUTE_LIFETIME_MS)),
    idleTimeoutMs: record.refreshTtlMs,
    lastUsedAt: record.rotatedAt ?? record.startedAt,
  };
}

/** A record as read from a store that may hold ones written before timeouts: completed with `legacyTimeoutsOf`. */
export function withTimeouts(record: SessionRecord): SessionRecord {
  // Records written before timeouts lack the members (Redis JSON) or hold NULL (SQLite).
  if (record.absoluteExpiresAt != null && record.idleTimeoutMs != null && record.lastUsedAt != null) return record;
  const legacy = legacyTimeoutsOf(record);
  return {
    ...record,
    absoluteExpiresAt: record.absoluteExpiresAt ?? legacy.absoluteExpiresAt,
    idleTimeoutMs: record.idleTimeoutMs ?? legacy.idleTimeoutMs,
    lastUsedAt: record.lastUsedAt ?? legacy.lastUsedAt,
  };
}

/** Live: not revoked and not past its end. */
export function isLive(record: SessionRecord, now: number): boolean {
  return record.status === 'active' && now < record.refreshExpiresAt;
}

/** Whether a session belongs to the product, env and tag a request names (else it is "not found" to it). */
export function isInScope(record: SessionRecord, scope: { product: string; env: string; tag: string }): boolean {
  return record.product === scope.product && record.env === scope.env && record.tag === scope.tag;
}

/** A session's state before anything happened to it: live, never rotated, never revoked. */
export function initialSessionState(): Pick<
  SessionRecord,
  'status' | 'spentRefreshTokenHashes' | 'rotatedAt' | 'lastRefreshSealed' | 'generation' | 'version' | 'revokedAt' | 'revokeReason'
> {
  return {
    status: 'active',
    spentRefreshTokenHashes: [],
    rotatedAt: null,
    lastRefreshSealed: null,
    generation: 0,
    version: 0,
    revokedAt: null,
    revokeReason: null,
  };
}
