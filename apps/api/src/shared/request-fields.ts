import {
  MAX_IDENTIFIER_LENGTH,
  MAX_JSON_DEPTH,
  MAX_OCCURRED_AT_MS,
  MIN_OCCURRED_AT_MS,
  hasControlCharacter,
  isStorableInstant,
  jsonValueDepth,
} from '@waymark/domain';
import { z } from 'zod';

/** Product, env and session tags as specs define them. */
export const slugField = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, dot, dash and underscore only');

const NO_CONTROL_CHARACTERS = 'must not contain control characters';

/**
 * Names, identifiers and other keys a caller gives: non-empty, at most `max` characters,
 * no control characters (they end up in logs, ClickHouse keys and dashboards, where a
 * newline or NUL forges lines or splits values).
 */
export function textField(max: number) {
  return z
    .string()
    .min(1)
    .max(max)
    .refine((value) => !hasControlCharacter(value), NO_CONTROL_CHARACTERS);
}

/** A user identifier as the read model stores it. */
export const identifierField = textField(MAX_IDENTIFIER_LENGTH);

/** A JSON object key (activity `properties`): may be empty, never a control character. */
export function keyField(max: number) {
  return z
    .string()
    .max(max)
    .refine((value) => !hasControlCharacter(value), NO_CONTROL_CHARACTERS);
}

export const STORABLE_RANGE_MESSAGE = `must lie between ${new Date(MIN_OCCURRED_AT_MS).toISOString()} and ${new Date(MAX_OCCURRED_AT_MS).toISOString()}, the instants the read model can store`;

/** An ISO-8601 instant with its offset, inside what the read model can store. */
export const storableInstantField = z.iso.datetime({ offset: true }).refine((value) => isStorableInstant(Date.parse(value)), STORABLE_RANGE_MESSAGE);

/**
 * A free JSON value nested at most `maxDepth` levels. The body's depth was bounded on
 * its text already (libs/http json-body.ts), so this names the field that is too deep;
 * it runs before anything that serialises the value.
 */
export function depthAtMost(value: unknown, maxDepth: number): boolean {
  return jsonValueDepth(value, maxDepth) <= maxDepth;
}

/** Session data travels inside every token, so it is kept small. */
export const MAX_SESSION_DATA_BYTES = 16 * 1024;

export const sessionDataField = z
  .custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'must be a JSON object')
  .superRefine((value, ctx) => {
    // Depth first: the size check serialises the value.
    if (!depthAtMost(value, MAX_JSON_DEPTH)) {
      ctx.addIssue({ code: 'custom', message: `nests deeper than ${MAX_JSON_DEPTH} levels` });
    } else if (Buffer.byteLength(JSON.stringify(value)) > MAX_SESSION_DATA_BYTES) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_SESSION_DATA_BYTES} bytes as JSON` });
    }
  });
