import { SESSION_EXTENDED, SESSION_REFRESHED, SESSION_REVOKED, SessionExtended, SessionRefreshed, SessionRevoked } from '../events/session-events';
import { toIsoTimestamp, toWholeSecond } from '../time/clock';
import { findConstantTime } from './constant-time';
import { REBUILT_REFRESH_TOKEN_HASH } from './evolve-session';
import { DecisionContext, SessionDecision, decided, envelopeOf } from './session-decision';
import { RevokeReason, SessionRecord } from './session-record';

export type { DecisionContext } from './session-decision';

export type RefreshDecision =
  /** The caller mints the tokens and passes its sealed answer as `local.sealedAnswer` when it folds and saves. */
  | ({ kind: 'rotate' } & SessionDecision<SessionRefreshed>)
  | { kind: 'replay'; sealedAnswer: string }
  | ({ kind: 'reuse-detected' } & SessionDecision<SessionRevoked>)
  | { kind: 'refused'; reason: 'revoked' | 'expired' | 'invalid' };

export interface RefreshInput extends DecisionContext {
  presentedHash: string;
  graceMs: number;
  /** Hash of the refresh token minted for this rotation. */
  nextRefreshHash: string;
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
export function decideRefresh(record: SessionRecord, input: RefreshInput): RefreshDecision {
  if (record.status === 'revoked') return { kind: 'refused', reason: 'revoked' };
  if (input.now >= record.refreshExpiresAt) return { kind: 'refused', reason: 'expired' };

  const matched = findConstantTime(input.presentedHash, [record.refreshTokenHash, ...record.spentRefreshTokenHashes]);
  // A session folded from the log has no refresh token: its marker is never a match.
  if (matched === 0 && record.refreshTokenHash !== REBUILT_REFRESH_TOKEN_HASH) {
    // Rolling: each refresh gives a fresh token lifetime and pushes the session's end
    // to a full refresh lifetime from now (never earlier than it already was).
    const expiresAt = toWholeSecond(input.now + record.tokenTtlMs);
    const refreshExpiresAt = Math.max(record.refreshExpiresAt, toWholeSecond(input.now + record.refreshTtlMs), expiresAt);
    const event: SessionRefreshed = {
      ...envelopeOf(record, input),
      type: SESSION_REFRESHED,
      data: { generation: record.generation + 1, expiresAt: toIsoTimestamp(expiresAt), refreshExpiresAt: toIsoTimestamp(refreshExpiresAt) },
    };
    return { kind: 'rotate', ...decided(record, event, { refreshTokenHash: input.nextRefreshHash }) };
  }

  if (matched <= 0) return { kind: 'refused', reason: 'invalid' };
  const justSpent = matched === 1;
  const withinGrace = justSpent && record.rotatedAt !== null && input.now - record.rotatedAt <= input.graceMs;
  if (withinGrace && record.lastRefreshSealed) return { kind: 'replay', sealedAnswer: record.lastRefreshSealed };

  const revoked = decideRevoke(record, 'refresh-token-reuse', input);
  return revoked ? { kind: 'reuse-detected', ...revoked } : { kind: 'refused', reason: 'revoked' };
}

/** Revokes a live session; an already revoked one needs nothing (revoking is idempotent). */
export function decideRevoke(record: SessionRecord, reason: RevokeReason, context: DecisionContext): SessionDecision<SessionRevoked> | undefined {
  if (record.status === 'revoked') return undefined;
  return decided(record, { ...envelopeOf(record, context), type: SESSION_REVOKED, data: { reason } });
}

export type ExtendDecision = ({ kind: 'extended' } & SessionDecision<SessionExtended>) | { kind: 'refused'; reason: 'revoked' | 'expired' };

/** Pushes the session's end (the refresh token's expiry) out by `byMs`. */
export function decideExtend(record: SessionRecord, byMs: number, context: DecisionContext): ExtendDecision {
  if (record.status === 'revoked') return { kind: 'refused', reason: 'revoked' };
  if (context.now >= record.refreshExpiresAt) return { kind: 'refused', reason: 'expired' };
  const event: SessionExtended = {
    ...envelopeOf(record, context),
    type: SESSION_EXTENDED,
    data: { refreshExpiresAt: toIsoTimestamp(record.refreshExpiresAt + byMs), previousRefreshExpiresAt: toIsoTimestamp(record.refreshExpiresAt) },
  };
  return { kind: 'extended', ...decided(record, event) };
}

/** Which of a user's live sessions a revoke by identifier ends: every one but `exceptSessionId`. */
export function sessionsToRevoke<T extends Pick<SessionRecord, 'sessionId'>>(live: readonly T[], exceptSessionId?: string): T[] {
  return live.filter((record) => record.sessionId !== exceptSessionId);
}
