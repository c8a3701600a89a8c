import { EventMeta } from '../events/event-envelope';
import { SESSION_EXTENDED, SESSION_REFRESHED, SESSION_REVOKED, SessionExtended, SessionRefreshed, SessionRevoked } from '../events/session-events';
import { toIsoTimestamp, toWholeSecond } from '../time/clock';
import { RevokeReason, SPENT_REFRESH_HASHES_KEPT, SessionRecord } from './session-record';

/** What every decision about an existing session needs besides the session itself. */
export interface DecisionContext {
  now: number;
  eventId: string;
  meta: EventMeta;
}

function envelopeOf(record: SessionRecord, context: DecisionContext) {
  return {
    id: context.eventId,
    version: 1,
    occurredAt: toIsoTimestamp(context.now),
    product: record.product,
    env: record.env,
    tag: record.tag,
    sessionId: record.sessionId,
    identifier: record.identifier,
    meta: context.meta,
  };
}

export type RefreshDecision =
  /** The caller mints the tokens and seals its answer into `lastRefreshSealed` before saving. */
  | { kind: 'rotate'; record: SessionRecord; event: SessionRefreshed }
  | { kind: 'replay'; sealedAnswer: string }
  | { kind: 'reuse-detected'; record: SessionRecord; event: SessionRevoked }
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
 * knowing a session id is not enough to end someone's session.
 */
export function decideRefresh(record: SessionRecord, input: RefreshInput): RefreshDecision {
  if (record.status === 'revoked') return { kind: 'refused', reason: 'revoked' };
  if (input.now >= record.refreshExpiresAt) return { kind: 'refused', reason: 'expired' };

  if (input.presentedHash === record.refreshTokenHash) {
    // Rolling: each refresh gives a fresh token lifetime and pushes the session's end
    // to a full refresh lifetime from now (never earlier than it already was).
    const expiresAt = toWholeSecond(input.now + record.tokenTtlMs);
    const refreshExpiresAt = Math.max(record.refreshExpiresAt, toWholeSecond(input.now + record.refreshTtlMs), expiresAt);
    const next: SessionRecord = {
      ...record,
      expiresAt,
      refreshExpiresAt,
      refreshTokenHash: input.nextRefreshHash,
      spentRefreshTokenHashes: [record.refreshTokenHash, ...record.spentRefreshTokenHashes].slice(0, SPENT_REFRESH_HASHES_KEPT),
      rotatedAt: input.now,
      lastRefreshSealed: null,
      generation: record.generation + 1,
      version: record.version + 1,
    };
    const event: SessionRefreshed = {
      ...envelopeOf(record, input),
      type: SESSION_REFRESHED,
      data: { generation: next.generation, expiresAt: toIsoTimestamp(expiresAt), refreshExpiresAt: toIsoTimestamp(refreshExpiresAt) },
    };
    return { kind: 'rotate', record: next, event };
  }

  const spentIndex = record.spentRefreshTokenHashes.indexOf(input.presentedHash);
  if (spentIndex === -1) return { kind: 'refused', reason: 'invalid' };
  const withinGrace = spentIndex === 0 && record.rotatedAt !== null && input.now - record.rotatedAt <= input.graceMs;
  if (withinGrace && record.lastRefreshSealed) return { kind: 'replay', sealedAnswer: record.lastRefreshSealed };

  const revoked = decideRevoke(record, 'refresh-token-reuse', input);
  return revoked ? { kind: 'reuse-detected', ...revoked } : { kind: 'refused', reason: 'revoked' };
}

/** Revokes a live session; an already revoked one needs nothing (revoking is idempotent). */
export function decideRevoke(
  record: SessionRecord,
  reason: RevokeReason,
  context: DecisionContext,
): { record: SessionRecord; event: SessionRevoked } | undefined {
  if (record.status === 'revoked') return undefined;
  const next: SessionRecord = {
    ...record,
    status: 'revoked',
    revokedAt: context.now,
    revokeReason: reason,
    lastRefreshSealed: null,
    version: record.version + 1,
  };
  const event: SessionRevoked = { ...envelopeOf(record, context), type: SESSION_REVOKED, data: { reason } };
  return { record: next, event };
}

export type ExtendDecision = { kind: 'extended'; record: SessionRecord; event: SessionExtended } | { kind: 'refused'; reason: 'revoked' | 'expired' };

/** Pushes the session's end (the refresh token's expiry) out by `byMs`. */
export function decideExtend(record: SessionRecord, byMs: number, context: DecisionContext): ExtendDecision {
  if (record.status === 'revoked') return { kind: 'refused', reason: 'revoked' };
  if (context.now >= record.refreshExpiresAt) return { kind: 'refused', reason: 'expired' };
  const refreshExpiresAt = record.refreshExpiresAt + byMs;
  const next: SessionRecord = { ...record, refreshExpiresAt, version: record.version + 1 };
  const event: SessionExtended = {
    ...envelopeOf(record, context),
    type: SESSION_EXTENDED,
    data: { refreshExpiresAt: toIsoTimestamp(refreshExpiresAt), previousRefreshExpiresAt: toIsoTimestamp(record.refreshExpiresAt) },
  };
  return { kind: 'extended', record: next, event };
}
