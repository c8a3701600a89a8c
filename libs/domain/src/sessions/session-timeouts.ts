import { DomainError } from '../errors/domain-error';
import { durationToMs } from '../specs/duration';
import { SessionSpec } from '../specs/session-spec';

/**
 * The absolute lifetime of a spec that names none: 90 days, the usual ceiling of a
 * "remember me" session (and of refresh tokens at the large identity providers). Finite,
 * so that no spec left as it was lets `extend` keep a session forever; long enough that
 * a spec with the default 30-day refresh lifetime can still be extended, which existing
 * clients rely on. Specs for anything sensitive should set their own (ASVS 7.3.2;
 * docs/session-timeouts.md).
 */
export const DEFAULT_ABSOLUTE_LIFETIME_MS = 90 * 86_400_000;

/** Why a session may no longer be used, whatever its tokens say. */
export type TimeoutReason = 'idle' | 'absolute';

/** What a session keeps of its spec's timeouts (taken at start, like its token lifetimes). */
export interface SessionTimeouts {
  /** The session's absolute end: nothing (refresh, extend) carries it past this. */
  absoluteExpiresAt: number;
  /** Unused for longer than this, the session is over. */
  idleTimeoutMs: number;
}

/**
 * The absolute lifetime a spec gives its sessions: its own, else 90 days or its refresh
 * lifetime if that is longer (a session's first refresh window is never cut short).
 */
export function absoluteLifetimeMsOf(spec: Pick<SessionSpec, 'refreshExpiry' | 'absoluteLifetime'>): number {
  if (spec.absoluteLifetime) return durationToMs(spec.absoluteLifetime);
  return Math.max(DEFAULT_ABSOLUTE_LIFETIME_MS, durationToMs(spec.refreshExpiry));
}

/**
 * The idle timeout a spec gives its sessions: its own, else its refresh lifetime (at most
 * the absolute lifetime). That default changes nothing for a client that worked before:
 * a session unused for a whole refresh lifetime had already ended.
 */
export function idleTimeoutMsOf(spec: Pick<SessionSpec, 'refreshExpiry' | 'idleTimeout' | 'absoluteLifetime'>): number {
  if (spec.idleTimeout) return durationToMs(spec.idleTimeout);
  return Math.min(durationToMs(spec.refreshExpiry), absoluteLifetimeMsOf(spec));
}

/**
 * A spec's timeouts must make sense together: an idle timeout longer than the absolute
 * lifetime could never apply, and an absolute lifetime shorter than the token lifetime
 * would end every session before its first token. Refused with the field at fault.
 */
export function checkSpecTimeouts(spec: Pick<SessionSpec, 'expiry' | 'refreshExpiry' | 'idleTimeout' | 'absoluteLifetime'>): void {
  const absoluteMs = absoluteLifetimeMsOf(spec);
  if (spec.absoluteLifetime && absoluteMs < durationToMs(spec.expiry)) {
    throw DomainError.forField('INVALID_REQUEST', 'absoluteLifetime', 'absoluteLifetime must be at least the token lifetime (expiry)');
  }
  if (spec.idleTimeout && durationToMs(spec.idleTimeout) > absoluteMs) {
    throw DomainError.forField('INVALID_REQUEST', 'idleTimeout', `idleTimeout must not be longer than the absolute lifetime (${absoluteMs / 1000} s)`);
  }
}

/**
 * Why a session can no longer be used at `now`, or undefined when it still can.
 * `lastUsedAt` is the latest use the caller knows of; `idleAllowanceMs` is how much
 * older than the truth that knowledge may be (uses another instance has not yet
 * written), added to the idle timeout so that a session is never refused as idle while
 * it was in fact used within its timeout.
 */
export function timeoutOf(session: SessionTimeouts, lastUsedAt: number, now: number, idleAllowanceMs = 0): TimeoutReason | undefined {
  if (now >= session.absoluteExpiresAt) return 'absolute';
  if (now - lastUsedAt > session.idleTimeoutMs + idleAllowanceMs) return 'idle';
  return undefined;
}
