import { z } from 'zod';
import { EventEnvelope } from './event-envelope';
import { KNOWN_EVENT_VERSIONS } from './session-events';

const isoMs = z.iso.datetime({ precision: 3 });
const name = z.string().min(1).max(128);

/** The envelope as consumers must see it before it reaches a projection. */
export const eventEnvelopeSchema = z.object({
  id: z.uuid(),
  type: name,
  version: z.number().int().positive(),
  occurredAt: isoMs,
  product: name,
  env: name,
  tag: name,
  sessionId: z.uuid(),
  // Empty for product-level events (session specs), which concern no user.
  identifier: z.string().max(256),
  data: z.record(z.string(), z.unknown()),
  meta: z.object({ requestId: z.string().optional(), source: z.string() }),
});

export type EnvelopeCheck = { ok: true; event: EventEnvelope } | { ok: false; reason: string };

/**
 * Parses a raw log record into an envelope, or says why it cannot be projected
 * (malformed JSON, a missing field, an unknown type or version) so the consumer can
 * dead-letter it and move on.
 */
export function checkEnvelope(raw: string): EnvelopeCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'malformed JSON' };
  }
  const result = eventEnvelopeSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, reason: `invalid envelope: ${issue.path.join('.') || '(root)'} ${issue.message}` };
  }
  const event = result.data as EventEnvelope;
  const versions = KNOWN_EVENT_VERSIONS[event.type];
  if (!versions) return { ok: false, reason: `unknown event type '${event.type}'` };
  if (!versions.includes(event.version)) {
    return { ok: false, reason: `unknown version ${event.version} of '${event.type}'` };
  }
  return { ok: true, event };
}
