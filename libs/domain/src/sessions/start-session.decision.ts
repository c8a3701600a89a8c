import { EventMeta } from '../events/event-envelope';
import { SESSION_STARTED, SessionStarted } from '../events/session-events';
import { durationToMs } from '../specs/duration';
import { SessionSpec } from '../specs/session-spec';
import { toIsoTimestamp, toWholeSecond } from '../time/clock';
import { SessionRecord, initialSessionState } from './session-record';

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
}

export interface SessionLifetimes {
  expiresAt: number;
  refreshExpiresAt: number;
}

/** When a session started now expires; the refresh token always outlives the token. */
export function lifetimesFor(spec: SessionSpec, now: number): SessionLifetimes {
  const expiresAt = toWholeSecond(now + durationToMs(spec.expiry));
  const refreshExpiresAt = Math.max(expiresAt, toWholeSecond(now + durationToMs(spec.refreshExpiry)));
  return { expiresAt, refreshExpiresAt };
}

/** Decides what starting a session records: the new session's state and its first event. */
export function decideStartSession(input: StartSessionInput): { record: SessionRecord; event: SessionStarted } {
  const { expiresAt, refreshExpiresAt } = lifetimesFor(input.spec, input.now);
  const record: SessionRecord = {
    sessionId: input.sessionId,
    product: input.product,
    env: input.env,
    tag: input.tag,
    identifier: input.identifier,
    ...initialSessionState(),
    startedAt: input.now,
    expiresAt,
    refreshExpiresAt,
    tokenTtlMs: durationToMs(input.spec.expiry),
    refreshTtlMs: durationToMs(input.spec.refreshExpiry),
    sealedData: input.sealedData,
    refreshTokenHash: input.refreshTokenHash,
  };
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
    },
    meta: input.meta,
  };
  return { record, event };
}
