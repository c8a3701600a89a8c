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

const STORABLE_FROM = new Date(MIN_OCCURRED_AT_MS).toISOString();
const STORABLE_TO = new Date(MAX_OCCURRED_AT_MS).toISOString();
export const STORABLE_RANGE_MESSAGE = `must lie between ${STORABLE_FROM} and ${STORABLE_TO}, the instants the read model can store`;

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
  })
  .meta({ type: 'object', description: `A JSON object, at most ${MAX_SESSION_DATA_BYTES} bytes and ${MAX_JSON_DEPTH} levels deep` });

/** A calendar date, YYYY-MM-DD. */
export const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** What JSON Schema can say of a time bound: a date, or a date-time with its offset. */
const TIME_BOUND_PATTERN = '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:?\\d{2}))?$';
const TIME_BOUND_FORMAT = 'must be an ISO-8601 time with offset (2026-11-26T10:00:00Z) or a date (2026-11-26)';

/**
 * An ISO-8601 instant with its offset, or a calendar date read in `tz`, inside what the
 * read model stores (ClickHouse fails a query on a DateTime outside it). A date is checked
 * here at UTC midnight and again, read in `tz`, when the range is resolved.
 */
export const timeBoundField = z
  .string()
  .superRefine((value, ctx) => {
    const instant = DATE_ONLY.test(value)
      ? Date.parse(`${value}T00:00:00Z`)
      : z.iso.datetime({ offset: true }).safeParse(value).success
        ? Date.parse(value)
        : Number.NaN;
    if (Number.isNaN(instant)) ctx.addIssue({ code: 'custom', message: TIME_BOUND_FORMAT });
    else if (!isStorableInstant(instant)) ctx.addIssue({ code: 'custom', message: STORABLE_RANGE_MESSAGE });
  })
  .meta({ pattern: TIME_BOUND_PATTERN, description: 'An ISO-8601 time with offset (2026-11-26T10:00:00Z) or a date in `tz` (2026-11-26)' });

/**
 * Which `tz` names are accepted is a fact of the runtime and of the read model's ClickHouse
 * (apps/api analytics/time-zones.ts knows it); the API hands its check over at start-up.
 * Until then, whatever this runtime's Intl resolves, spelled as IANA spells it.
 */
let acceptsTimeZone = (name: string): boolean => {
  if (!/^[A-Z][A-Za-z0-9_+-]*(?:\/[A-Za-z][A-Za-z0-9_+-]*)*$/.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
};

export function checkTimeZonesWith(check: (name: string) => boolean): void {
  acceptsTimeZone = check;
}

export const timeZoneField = z
  .string()
  .max(64)
  .default('UTC')
  .refine(
    (value) => acceptsTimeZone(value),
    'must be an IANA time zone name (such as Europe/Berlin, Asia/Kolkata or UTC) known to both this server and its ClickHouse',
  );

/** An instant as every answer writes it: ISO-8601 in UTC with milliseconds. */
export const instant = z.iso.datetime();

/** A page number and size, as list endpoints take them. */
export const pageField = z.coerce.number().int().min(1).max(100_000).default(1);
export const pageSizeField = z.coerce.number().int().min(1).max(100).default(20);
