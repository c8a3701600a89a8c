import { EventMeta } from '../events/event-envelope';
import { SESSION_STARTED, SessionStarted } from '../events/session-events';
import { durationToMs } from '../specs/duration';
import { SessionSpec } from '../specs/session-spec';
import { toIsoTimestamp, toWholeSecond } from '../time/clock';
import { SessionDecision, decided } from './session-decision';
import { absoluteLifetimeMsOf, idleTimeoutMsOf } from './session-timeouts';

export interface StartSessionInput {
  product: string;
  env: string;
  tag: string;
  identifier: string;
  spec: SessionSpec;
  sessionId: string;
  eventId: string;
  now: number;
  sealedData: string;
  refreshTokenHash: string;
  meta: EventMeta;
  /** The key thumbprint the session is bound to (`senderKeyFor`); absent: not bound. */
  jkt?: string;
}

export interface SessionLifetimes {
  expiresAt: number;
  refreshExpiresAt: number;
  absoluteExpiresAt: number;
  idleTimeoutMs: number;
}

/**
 * When a session started now expires; the refresh token always outlives the token, and
 * neither outlives the session's absolute end.
 */
export function lifetimesFor(spec: SessionSpec, now: number): SessionLifetimes {
  const absoluteExpiresAt = toWholeSecond(now + absoluteLifetimeMsOf(spec));
  const expiresAt = Math.min(absoluteExpiresAt, toWholeSecond(now + durationToMs(spec.expiry)));
  const refreshExpiresAt = Math.min(absoluteExpiresAt, Math.max(expiresAt, toWholeSecond(now + durationToMs(spec.refreshExpiry))));
  return { expiresAt, refreshExpiresAt, absoluteExpiresAt, idleTimeoutMs: idleTimeoutMsOf(spec) };
}

/**
 * Decides what starting a session records: one `SessionStarted`. The hash of the
 * refresh token and the spec's exact lifetimes go beside it (`local`), for the store.
 */
export function decideStartSession(input: StartSessionInput): SessionDecision<SessionStarted> {
  const { expiresAt, refreshExpiresAt, absoluteExpiresAt, idleTimeoutMs } = lifetimesFor(input.spec, input.now);
  // Members in the order the log has always had them (the order JSON keeps).
  const event: SessionStarted = {
    id: input.eventId,
    type: SESSION_STARTED,
    version: 1,
    occurredAt: toIsoTimestamp(input.now),
    product: input.product,
    env: input.env,
    tag: input.tag,
    sessionId: input.sessionId,
    identifier: input.identifier,
    data: {
      expiresAt: toIsoTimestamp(expiresAt),
      refreshExpiresAt: toIsoTimestamp(refreshExpiresAt),
      sealedData: input.sealedData,
      absoluteExpiresAt: toIsoTimestamp(absoluteExpiresAt),
      idleTimeoutMs,
    },
    meta: input.meta,
  };
  return decided(undefined, event, {
    refreshTokenHash: input.refreshTokenHash,
    tokenTtlMs: durationToMs(input.spec.expiry),
    refreshTtlMs: durationToMs(input.spec.refreshExpiry),
    ...(input.jkt === undefined ? {} : { jkt: input.jkt }),
  });
}
