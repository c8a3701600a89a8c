import { z } from 'zod';
import { EventEnvelope } from './event-envelope';
import { KNOWN_EVENT_VERSIONS } from './session-events';
import {
  MAX_IDENTIFIER_LENGTH,
  MAX_JSON_DEPTH,
  MAX_NAME_LENGTH,
  MAX_OCCURRED_AT_MS,
  MIN_OCCURRED_AT_MS,
  hasControlCharacter,
  isStorableInstant,
  jsonValueDepth,
} from './read-model-limits';

/*
 * The envelope is held to the read model's limits (read-model-limits.ts) as well as to
 * its shape: an event from another producer on the Kafka topic, or one written before
 * the API checked these, that ClickHouse could not store or the analytics could not
 * compute on is dead-lettered here, before any INSERT, rather than failing a batch.
 */
const noControl = { message: 'contains a control character' };
const storable = {
  message: `is outside the instants the read model can store (${new Date(MIN_OCCURRED_AT_MS).toISOString()} to ${new Date(MAX_OCCURRED_AT_MS).toISOString()})`,
};
const shallow = { message: `nests deeper than ${MAX_JSON_DEPTH} levels` };

const isoMs = z.iso.datetime({ precision: 3 }).refine((value) => isStorableInstant(Date.parse(value)), storable);
const name = z
  .string()
  .min(1)
  .max(MAX_NAME_LENGTH)
  .refine((value) => !hasControlCharacter(value), noControl);

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
  identifier: z
    .string()
    .max(MAX_IDENTIFIER_LENGTH)
    .refine((value) => !hasControlCharacter(value), noControl),
  // Only while an event is in its stored form (see EventEnvelope.subject).
  subject: z.string().max(MAX_NAME_LENGTH).optional(),
  data: z.record(z.string(), z.unknown()).refine((value) => jsonValueDepth(value, MAX_JSON_DEPTH) <= MAX_JSON_DEPTH, shallow),
  meta: z.object({ requestId: z.string().optional(), source: z.string() }),
});

const UUID = z.regexes.uuid();
const ISO_MS = z.regexes.datetime({ precision: 3 });

const isName = (value: unknown): value is string =>
  typeof value === 'string' && value.length >= 1 && value.length <= MAX_NAME_LENGTH && !hasControlCharacter(value);
const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `eventEnvelopeSchema.safeParse(value)` on the path every event takes, written out by
 * hand: zod's parse costs about as much as everything else the projector does per
 * event (profile in docs/benchmarks.md). Same rules (zod's own UUID and timestamp
 * patterns), same output (unknown members dropped); a property test holds the two
 * equal. Returns undefined where the schema would fail, and the schema then says why.
 */
export function acceptEnvelope(value: unknown): EventEnvelope | undefined {
  if (!isPlainObject(value)) return undefined;
  const { id, type, version, occurredAt, product, env, tag, sessionId, identifier, subject, data, meta } = value;
  if (
    typeof id !== 'string' ||
    !UUID.test(id) ||
    !isName(type) ||
    !Number.isSafeInteger(version) ||
    (version as number) <= 0 ||
    typeof occurredAt !== 'string' ||
    !ISO_MS.test(occurredAt) ||
    !isStorableInstant(Date.parse(occurredAt)) ||
    !isName(product) ||
    !isName(env) ||
    !isName(tag) ||
    typeof sessionId !== 'string' ||
    !UUID.test(sessionId) ||
    typeof identifier !== 'string' ||
    identifier.length > MAX_IDENTIFIER_LENGTH ||
    hasControlCharacter(identifier) ||
    (subject !== undefined && (typeof subject !== 'string' || subject.length > MAX_NAME_LENGTH)) ||
    !isPlainObject(data) ||
    // Without recursion, and before anything recursive (JSON.stringify of the row) meets it.
    jsonValueDepth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH ||
    !isPlainObject(meta) ||
    typeof meta.source !== 'string' ||
    (meta.requestId !== undefined && typeof meta.requestId !== 'string')
  ) {
    return undefined;
  }
  const checkedMeta: EventEnvelope['meta'] = meta.requestId === undefined ? { source: meta.source } : { requestId: meta.requestId, source: meta.source };
  const event: EventEnvelope = { id, type, version: version as number, occurredAt, product, env, tag, sessionId, identifier, data, meta: checkedMeta };
  if (subject !== undefined) event.subject = subject;
  return event;
}

export type EnvelopeCheck = { ok: true; event: EventEnvelope } | { ok: false; reason: string };

/**
 * Parses a raw log record into an envelope, or says why it cannot be projected
 * (malformed JSON, a missing field, a value outside the read model's limits, an unknown
 * type or version) so the consumer can dead-letter it and move on.
 */
export function checkEnvelope(raw: string): EnvelopeCheck {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'malformed JSON' };
  }
  const event = acceptEnvelope(parsed);
  if (!event) return { ok: false, reason: schemaReason(parsed) };
  const versions = KNOWN_EVENT_VERSIONS[event.type];
  if (!versions) return { ok: false, reason: `unknown event type '${event.type}'` };
  if (!versions.includes(event.version)) {
    return { ok: false, reason: `unknown version ${event.version} of '${event.type}'` };
  }
  return { ok: true, event };
}

/** Why the schema refuses a value: the first issue zod reports, with its path. */
function schemaReason(value: unknown): string {
  const result = eventEnvelopeSchema.safeParse(value);
  if (result.success) {
    // acceptEnvelope and the schema disagree: a defect, but the event is not lost.
    return 'invalid envelope: refused by the fast check but not by the schema';
  }
  const issue = result.error.issues[0];
  return `invalid envelope: ${issue.path.join('.') || '(root)'} ${issue.message}`;
}
