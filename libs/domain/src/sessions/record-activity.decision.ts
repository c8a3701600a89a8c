import { EventMeta } from '../events/event-envelope';
import { SESSION_ACTIVITY_RECORDED, SessionActivityData, SessionActivityRecorded } from '../events/session-events';
import { IdGenerator } from '../ids/uuid-v7';
import { toIsoTimestamp } from '../time/clock';

/** Who the activity belongs to: taken from a verified session token, never from the body. */
export interface ActivitySession {
  sessionId: string;
  product: string;
  env: string;
  tag: string;
  identifier: string;
}

export interface ActivityInput extends SessionActivityData {
  /** When the call happened, as the reporting backend saw it; defaults to now. */
  occurredAt?: number;
}

/** Turns reported calls into one `SessionActivityRecorded` event each, in the order given. */
export function decideRecordActivity(
  session: ActivitySession,
  records: readonly ActivityInput[],
  now: number,
  newId: IdGenerator,
  meta: EventMeta,
): SessionActivityRecorded[] {
  return records.map(({ occurredAt, ...data }) => ({
    id: newId(),
    type: SESSION_ACTIVITY_RECORDED,
    version: 1,
    occurredAt: toIsoTimestamp(occurredAt ?? now),
    product: session.product,
    env: session.env,
    tag: session.tag,
    sessionId: session.sessionId,
    identifier: session.identifier,
    data: dropUndefined(data),
    meta,
  }));
}

/** A plain loop: entries, filter and fromEntries built three arrays per record. */
function dropUndefined(data: SessionActivityData): SessionActivityData {
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(data)) {
    const value = (data as unknown as Record<string, unknown>)[key];
    if (value !== undefined) kept[key] = value;
  }
  return kept as unknown as SessionActivityData;
}
