import { EventEnvelope } from './event-envelope';
import {
  IdentifierErased,
  KNOWN_EVENT_VERSIONS,
  RefreshTokenReused,
  SessionActivityRecorded,
  SessionExtended,
  SessionRefreshed,
  SessionRevoked,
  SessionSpecCreated,
  SessionSpecDeleted,
  SessionSpecUpdated,
  SessionStarted,
} from './session-events';
import { REVOKE_REASONS } from '../sessions/session-record';

/** The events about one session: what its record is folded from (activity changes no state). */
export type SessionEvent = SessionStarted | SessionRefreshed | SessionRevoked | SessionExtended | SessionActivityRecorded | RefreshTokenReused;

/** The events about a product's session specs (nil session id, empty identifier). */
export type SpecEvent = SessionSpecCreated | SessionSpecUpdated | SessionSpecDeleted;

/**
 * Every event Waymark writes, discriminated on `type`. Refresh-token reuse is recorded
 * as a `RefreshTokenReused` (the incident) followed by the `SessionRevoked` with reason
 * `refresh-token-reuse` decided with it.
 */
export type WaymarkEvent = SessionEvent | SpecEvent | IdentifierErased;

export type WaymarkEventType = WaymarkEvent['type'];

/**
 * The session events a session decision records (activity only goes to the read model).
 * All but RefreshTokenReused change the record; it travels with the revocation it causes.
 */
export type SessionStateEvent = Exclude<SessionEvent, SessionActivityRecorded>;

const SESSION_STATE_TYPES: ReadonlySet<string> = new Set<WaymarkEventType>([
  'SessionStarted',
  'SessionRefreshed',
  'SessionRevoked',
  'SessionExtended',
  'RefreshTokenReused',
]);
const SPEC_TYPES: ReadonlySet<string> = new Set<WaymarkEventType>(['SessionSpecCreated', 'SessionSpecUpdated', 'SessionSpecDeleted']);

export function isSessionStateEvent(event: WaymarkEvent): event is SessionStateEvent {
  return SESSION_STATE_TYPES.has(event.type);
}

export function isSpecEvent(event: WaymarkEvent): event is SpecEvent {
  return SPEC_TYPES.has(event.type);
}

/** For a `switch` over a union that must handle every member: fails to compile when one is missing. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

type Data = Record<string, unknown>;
const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isObject = (value: unknown): value is Data => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What `data` must hold for each type, checked only as far as the readers rely on it. */
const DATA_CHECKS: Record<WaymarkEventType, (data: Data) => boolean> = {
  SessionStarted: (d) => isString(d.expiresAt) && isString(d.refreshExpiresAt) && isString(d.sealedData),
  SessionRefreshed: (d) =>
    isNumber(d.generation) && isString(d.expiresAt) && isString(d.refreshExpiresAt) && (d.parentGeneration === undefined || isNumber(d.parentGeneration)),
  SessionRevoked: (d) => (REVOKE_REASONS as readonly unknown[]).includes(d.reason),
  SessionExtended: (d) => isString(d.refreshExpiresAt) && isString(d.previousRefreshExpiresAt),
  SessionActivityRecorded: (d) => isString(d.name) && isString(d.status),
  SessionSpecCreated: (d) => isObject(d.spec) && isString(d.spec.tag) && isNumber(d.revision),
  SessionSpecUpdated: (d) => isObject(d.spec) && isString(d.spec.tag) && isNumber(d.revision),
  SessionSpecDeleted: (d) => isNumber(d.revision),
  RefreshTokenReused: (d) =>
    isNumber(d.replayedGeneration) &&
    isNumber(d.currentGeneration) &&
    (d.spentAt === undefined || isString(d.spentAt)) &&
    (d.sinceSpentMs === undefined || isNumber(d.sinceSpentMs)) &&
    (d.sealedRequest === undefined || isString(d.sealedRequest)),
  IdentifierErased: (d) => isString(d.subject) && isNumber(d.sessionsRevoked) && isNumber(d.readModelRowsDeleted),
};

/**
 * Narrows an envelope read from the log (or the read model) to the typed union: its
 * type and version are ones this build knows and its `data` has the fields readers use.
 * Undefined otherwise: an event of another producer, a newer version, or a damaged one.
 * The envelope itself is returned, not a copy.
 */
export function toWaymarkEvent(envelope: EventEnvelope): WaymarkEvent | undefined {
  const check = (DATA_CHECKS as Record<string, ((data: Data) => boolean) | undefined>)[envelope.type];
  if (!check || !KNOWN_EVENT_VERSIONS[envelope.type]?.includes(envelope.version)) return undefined;
  if (!isObject(envelope.data) || !check(envelope.data)) return undefined;
  return envelope as WaymarkEvent;
}

/** `toWaymarkEvent` of a raw log record (JSON); undefined when it does not parse. */
export function parseWaymarkEvent(raw: string): WaymarkEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  return isObject(parsed) && isString(parsed.type) && isNumber(parsed.version) ? toWaymarkEvent(parsed as unknown as EventEnvelope) : undefined;
}
