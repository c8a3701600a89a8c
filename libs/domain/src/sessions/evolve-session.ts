import { WaymarkEvent, assertNever } from '../events/waymark-events';
import { toWholeSecond } from '../time/clock';
import { SPENT_REFRESH_HASHES_KEPT, SessionRecord, initialSessionState, legacyTimeoutsOf } from './session-record';

/**
 * The log never holds refresh tokens or their hashes (by design), so a session folded
 * from the log alone gets this in place of one: not a SHA-256 digest, so no presented
 * token matches and the session cannot be refreshed. Verify, revoke, list and extend
 * keep working; its user refreshes by starting a new session.
 */
export const REBUILT_REFRESH_TOKEN_HASH = 'rebuilt-from-log:no-refresh-token';

/**
 * What a decided event tells the session store beyond what the log carries. Never
 * written to the log: refresh-token hashes are secrets, and the sealed answer is for
 * this store only. A fold of the log alone (a rebuild, a repair) has none of it.
 */
export interface LocalFacts {
  /** SessionStarted, SessionRefreshed: hash of the refresh token minted with the event. */
  refreshTokenHash?: string;
  /** SessionRefreshed: the answer handed out, sealed, for a retry within the grace window. */
  sealedAnswer?: string;
  /**
   * SessionStarted: the spec's lifetimes exactly. Without them they are read back from
   * the expiries, which are whole seconds and never let the refresh token end first.
   */
  tokenTtlMs?: number;
  refreshTtlMs?: number;
  /** SessionStarted: the thumbprint of the key the session is bound to (DPoP), if any. */
  jkt?: string;
}

/**
 * The one state transition of a session: its record after one more event (pure).
 * Undefined when the event does not apply (a second start, a change to an unknown
 * session, revoking a revoked one). Events that concern no session state (activity,
 * specs) leave the record as it is. Every store, the Redis rebuild and the log repair
 * fold with this function; decisions never build a record themselves.
 */
export function evolveSession(record: SessionRecord | undefined, event: WaymarkEvent, local: LocalFacts = {}): SessionRecord | undefined {
  switch (event.type) {
    case 'SessionStarted': {
      if (record) return undefined;
      const startedAt = Date.parse(event.occurredAt);
      const expiresAt = Date.parse(event.data.expiresAt);
      const refreshExpiresAt = Date.parse(event.data.refreshExpiresAt);
      const refreshTtlMs = local.refreshTtlMs ?? refreshExpiresAt - toWholeSecond(startedAt);
      // Events from before timeouts carry none: such a session gets what it had then.
      const legacy = legacyTimeoutsOf({ startedAt, refreshExpiresAt, refreshTtlMs, rotatedAt: null });
      return {
        sessionId: event.sessionId,
        product: event.product,
        env: event.env,
        tag: event.tag,
        identifier: event.identifier,
        ...initialSessionState(),
        startedAt,
        expiresAt,
        refreshExpiresAt,
        tokenTtlMs: local.tokenTtlMs ?? expiresAt - toWholeSecond(startedAt),
        refreshTtlMs,
        absoluteExpiresAt: event.data.absoluteExpiresAt === undefined ? legacy.absoluteExpiresAt : Date.parse(event.data.absoluteExpiresAt),
        idleTimeoutMs: event.data.idleTimeoutMs ?? legacy.idleTimeoutMs,
        lastUsedAt: startedAt,
        sealedData: event.data.sealedData,
        refreshTokenHash: local.refreshTokenHash ?? REBUILT_REFRESH_TOKEN_HASH,
        ...(local.jkt === undefined ? {} : { jkt: local.jkt }),
      };
    }
    case 'SessionRefreshed': {
      if (!record) return undefined;
      // The token this refresh spent is spent whether or not the new one is known here:
      // presenting it again is reuse. A rebuilt marker is no token, so it is not kept.
      const rebuilt = record.refreshTokenHash === REBUILT_REFRESH_TOKEN_HASH;
      const spent = rebuilt ? record.spentRefreshTokenHashes : [record.refreshTokenHash, ...record.spentRefreshTokenHashes];
      const spentTimes = record.spentRefreshTokenTimes ?? [];
      const rotatedAt = Date.parse(event.occurredAt);
      return {
        ...record,
        expiresAt: Date.parse(event.data.expiresAt),
        refreshExpiresAt: Date.parse(event.data.refreshExpiresAt),
        refreshTokenHash: local.refreshTokenHash ?? REBUILT_REFRESH_TOKEN_HASH,
        spentRefreshTokenHashes: spent.slice(0, SPENT_REFRESH_HASHES_KEPT),
        // Index for index with the hashes: a time is added exactly when a hash is.
        spentRefreshTokenTimes: (rebuilt ? spentTimes : [rotatedAt, ...spentTimes]).slice(0, SPENT_REFRESH_HASHES_KEPT),
        rotatedAt,
        // A refresh is a use of the session (idle timeout).
        lastUsedAt: Math.max(record.lastUsedAt, rotatedAt),
        lastRefreshSealed: local.sealedAnswer ?? null,
        generation: event.data.generation,
        version: record.version + 1,
      };
    }
    case 'SessionRevoked': {
      if (!record || record.status === 'revoked') return undefined;
      return {
        ...record,
        status: 'revoked',
        revokedAt: Date.parse(event.occurredAt),
        revokeReason: event.data.reason,
        lastRefreshSealed: null,
        version: record.version + 1,
      };
    }
    case 'SessionExtended': {
      if (!record) return undefined;
      // Extending is the product's backend acting for the session: a use (docs/session-timeouts.md).
      return {
        ...record,
        refreshExpiresAt: Date.parse(event.data.refreshExpiresAt),
        lastUsedAt: Math.max(record.lastUsedAt, Date.parse(event.occurredAt)),
        version: record.version + 1,
      };
    }
    case 'SessionActivityRecorded':
    case 'RefreshTokenReused': // the SessionRevoked decided with it ends the session
    case 'SessionSpecCreated':
    case 'SessionSpecUpdated':
    case 'SessionSpecDeleted':
    case 'IdentifierErased': // an erasure deletes the user's sessions from the store itself
      return record;
    default:
      return assertNever(event, 'event');
  }
}

/**
 * The record after decided events, which must all apply: a decision whose events do
 * not fold is a defect, not a refusal. `local` goes with the events that carry it.
 */
export function evolveDecided(record: SessionRecord | undefined, events: readonly WaymarkEvent[], local?: LocalFacts): SessionRecord {
  let state = record;
  for (const event of events) {
    const next = evolveSession(state, event, local);
    if (!next) throw new Error(`${event.type} ${event.id} does not apply to session ${event.sessionId}`);
    state = next;
  }
  if (!state) throw new Error('no events decided');
  return state;
}
