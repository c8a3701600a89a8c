import {
  REFRESH_TOKEN_REUSED,
  RefreshTokenReused,
  SESSION_EXTENDED,
  SESSION_REFRESHED,
  SESSION_REVOKED,
  SessionExtended,
  SessionRefreshed,
  SessionRevoked,
} from '../events/session-events';
import { toIsoTimestamp, toWholeSecond } from '../time/clock';
import { findConstantTime } from './constant-time';
import { REBUILT_REFRESH_TOKEN_HASH, evolveDecided } from './evolve-session';
import { DecisionContext, SessionDecision, decided, envelopeOf } from './session-decision';
import { RevokeReason, SessionRecord } from './session-record';
import { TimeoutReason, timeoutOf } from './session-timeouts';

export type { DecisionContext } from './session-decision';

/**
 * What the caller knows of the session's use beyond its record: the latest use it saw
 * (verifies and activity not yet written to the store) and how stale the store's view
 * may be (uses other instances have not written yet). See `timeoutOf`.
 */
export interface UseView {
  lastUsedAt?: number;
  idleAllowanceMs?: number;
}

/**
 * Why the session can no longer be refreshed or extended, whatever token is shown:
 * revoked, past its absolute end, past its refresh token's end, or idle too long.
 */
function refusalOf(record: SessionRecord, now: number, use: UseView): 'revoked' | 'expired' | TimeoutReason | undefined {
  if (record.status === 'revoked') return 'revoked';
  if (now >= record.absoluteExpiresAt) return 'absolute';
  if (now >= record.refreshExpiresAt) return 'expired';
  return timeoutOf(record, Math.max(record.lastUsedAt, use.lastUsedAt ?? 0), now, use.idleAllowanceMs);
}

export type RefreshDecision =
  /** The caller mints the tokens and passes its sealed answer as `local.sealedAnswer` when it folds and saves. */
  | ({ kind: 'rotate' } & SessionDecision<SessionRefreshed>)
  | { kind: 'replay'; sealedAnswer: string }
  | ReuseDetected
  | { kind: 'refused'; reason: 'revoked' | 'expired' | 'invalid' | TimeoutReason };

/** A reuse incident: the RefreshTokenReused and the SessionRevoked it causes, decided together. */
export interface ReuseDetected {
  kind: 'reuse-detected';
  events: [RefreshTokenReused, SessionRevoked];
  incident: RefreshTokenReused;
  /** The revocation, `events[1]`. */
  event: SessionRevoked;
  record: SessionRecord;
}

export interface RefreshInput extends DecisionContext {
  presentedHash: string;
  graceMs: number;
  /** Hash of the refresh token minted for this rotation. */
  nextRefreshHash: string;
  /** The id of the SessionRevoked a reuse incident decides (`eventId` is the incident's). */
  revocationEventId: string;
  /** The request's metadata, sealed (RefreshTokenReusedData.sealedRequest), for a reuse incident. */
  sealedRequest?: string;
}

/**
 * Refresh-token rotation (RFC 9700 §4.14.2). The current token rotates once. The token
 * it replaced is answered with the same tokens for `graceMs` (a client retrying a
 * refresh whose answer it lost), and after that its use is reuse: the whole session is
 * revoked, since the server cannot tell which party is the attacker. Older spent
 * tokens are reuse at once. A token matching nothing is refused without revoking, so
 * knowing a session id is not enough to end someone's session. The presented hash is
 * compared with the current and every spent hash in constant time, without early exit
 * (`findConstantTime`, through `crypto.timingSafeEqual`).
 */
export function decideRefresh(record: SessionRecord, input: RefreshInput & UseView): RefreshDecision {
  const refusal = refusalOf(record, input.now, input);
  if (refusal) return { kind: 'refused', reason: refusal };

  const matched = findConstantTime(input.presentedHash, [record.refreshTokenHash, ...record.spentRefreshTokenHashes]);
  // A session folded from the log has no refresh token: its marker is never a match.
  if (matched === 0 && record.refreshTokenHash !== REBUILT_REFRESH_TOKEN_HASH) {
    // Rolling: each refresh gives a fresh token lifetime and pushes the session's end
    // to a full refresh lifetime from now (never earlier than it already was), both
    // held to the session's absolute end.
    const expiresAt = Math.min(record.absoluteExpiresAt, toWholeSecond(input.now + record.tokenTtlMs));
    const refreshExpiresAt = Math.min(record.absoluteExpiresAt, Math.max(record.refreshExpiresAt, toWholeSecond(input.now + record.refreshTtlMs), expiresAt));
    const event: SessionRefreshed = {
      ...envelopeOf(record, input),
      type: SESSION_REFRESHED,
      data: {
        generation: record.generation + 1,
        parentGeneration: record.generation,
        expiresAt: toIsoTimestamp(expiresAt),
        refreshExpiresAt: toIsoTimestamp(refreshExpiresAt),
      },
    };
    return { kind: 'rotate', ...decided(record, event, { refreshTokenHash: input.nextRefreshHash }) };
  }

  if (matched <= 0) return { kind: 'refused', reason: 'invalid' };
  const justSpent = matched === 1;
  const withinGrace = justSpent && record.rotatedAt !== null && input.now - record.rotatedAt <= input.graceMs;
  if (withinGrace && record.lastRefreshSealed) return { kind: 'replay', sealedAnswer: record.lastRefreshSealed };

  return decideReuse(record, matched - 1, input);
}

/**
 * The incident and the revocation, for the spent token at `spentIndex` of the record's
 * spent hashes (newest first): the token of generation `generation − 1 − spentIndex`.
 * The two events carry one instant, the incident first.
 */
function decideReuse(record: SessionRecord, spentIndex: number, input: RefreshInput): ReuseDetected {
  const spentAt = record.spentRefreshTokenTimes?.[spentIndex];
  const incident: RefreshTokenReused = {
    ...envelopeOf(record, input),
    type: REFRESH_TOKEN_REUSED,
    data: {
      replayedGeneration: record.generation - 1 - spentIndex,
      currentGeneration: record.generation,
      ...(spentAt === undefined ? {} : { spentAt: toIsoTimestamp(spentAt), sinceSpentMs: input.now - spentAt }),
      ...(input.sealedRequest === undefined ? {} : { sealedRequest: input.sealedRequest }),
    },
  };
  const revocation: SessionRevoked = {
    ...envelopeOf(record, { ...input, eventId: input.revocationEventId }),
    type: SESSION_REVOKED,
    data: { reason: 'refresh-token-reuse' },
  };
  const events: [RefreshTokenReused, SessionRevoked] = [incident, revocation];
  return { kind: 'reuse-detected', events, incident, event: revocation, record: evolveDecided(record, events) };
}

/** Revokes a live session; an already revoked one needs nothing (revoking is idempotent). */
export function decideRevoke(record: SessionRecord, reason: RevokeReason, context: DecisionContext): SessionDecision<SessionRevoked> | undefined {
  if (record.status === 'revoked') return undefined;
  return decided(record, { ...envelopeOf(record, context), type: SESSION_REVOKED, data: { reason } });
}

export type ExtendDecision =
  | ({ kind: 'extended' } & SessionDecision<SessionExtended>)
  /** Already at its absolute end: nothing to push, nothing recorded; the end stays where it is. */
  | { kind: 'at-absolute-end'; refreshExpiresAt: number }
  | { kind: 'refused'; reason: 'revoked' | 'expired' | TimeoutReason };

/**
 * Pushes the session's end (the refresh token's expiry) out by `byMs`, clamped to the
 * session's absolute end. Clamped rather than refused: a backend that extends on
 * activity keeps every hour the session may still have, and the answer says the end it
 * got. Extending is a use of the session (its backend acts for it), so it also resets
 * the idle clock; a session already idle or revoked cannot be extended.
 */
export function decideExtend(record: SessionRecord, byMs: number, context: DecisionContext & UseView): ExtendDecision {
  const refusal = refusalOf(record, context.now, context);
  if (refusal) return { kind: 'refused', reason: refusal };
  const refreshExpiresAt = Math.min(record.absoluteExpiresAt, record.refreshExpiresAt + byMs);
  if (refreshExpiresAt <= record.refreshExpiresAt) return { kind: 'at-absolute-end', refreshExpiresAt: record.refreshExpiresAt };
  const event: SessionExtended = {
    ...envelopeOf(record, context),
    type: SESSION_EXTENDED,
    data: { refreshExpiresAt: toIsoTimestamp(refreshExpiresAt), previousRefreshExpiresAt: toIsoTimestamp(record.refreshExpiresAt) },
  };
  return { kind: 'extended', ...decided(record, event) };
}

/** Which of a user's live sessions a revoke by identifier ends: every one but `exceptSessionId`. */
export function sessionsToRevoke<T extends Pick<SessionRecord, 'sessionId'>>(live: readonly T[], exceptSessionId?: string): T[] {
  return live.filter((record) => record.sessionId !== exceptSessionId);
}
