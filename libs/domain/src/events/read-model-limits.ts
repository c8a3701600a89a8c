/**
 * The read model's domain: what ClickHouse can store and what the analytics can compute
 * on. Every value the API acknowledges, and every event the projector accepts from the
 * log (whoever produced it), is checked against these limits, so an acknowledged event
 * can always be projected and a foreign one that cannot is dead-lettered instead of
 * stalling a batch.
 */

/**
 * The earliest `occurredAt` the read model takes. `occurred_at` is DateTime64(3) (1900 to
 * 2299), but the derived tables and the funnels work in DateTime (`toDateTime`,
 * `toStartOfFifteenMinutes`), which starts at the Unix epoch; an earlier value would be
 * stored in one table and wrap around in another.
 */
export const MIN_OCCURRED_AT_MS = Date.UTC(1970, 0, 1);
/** The last instant DateTime holds (2106-02-07T06:28:15Z), so the same reasoning applies. */
export const MAX_OCCURRED_AT_MS = 4_294_967_295_000;

/** Identifiers (the spec's selector value) and other free-text keys: at most this many characters. */
export const MAX_IDENTIFIER_LENGTH = 256;
/** Event type, product, env and tag names. */
export const MAX_NAME_LENGTH = 128;

/**
 * How deep a JSON value (session `data`, activity `properties`, a whole body) may nest.
 * Real payloads use a handful of levels; recursive code (JSON.stringify, zod, ClickHouse's
 * JSON functions) fails or slows down past a few thousand, so this is checked first.
 */
export const MAX_JSON_DEPTH = 32;

/** C0 and C1 control characters and DEL: never part of an identifier, tag or name. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

export function hasControlCharacter(value: string): boolean {
  return CONTROL_CHARACTER.test(value);
}

/** Whether an instant (Unix ms) lies inside what the read model can store. */
export function isStorableInstant(ms: number): boolean {
  return Number.isFinite(ms) && ms >= MIN_OCCURRED_AT_MS && ms <= MAX_OCCURRED_AT_MS;
}

/**
 * How deeply a JSON text nests, found by one pass over its characters with no recursion
 * (strings skipped, escapes honoured), so that it can be refused before anything parses
 * it. Stops counting once past `stopAbove`. Malformed text is not this function's
 * concern: JSON.parse reports it afterwards.
 */
export function jsonTextDepth(text: string, stopAbove = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c /* \ */) i += 1;
      else if (code === 0x22 /* " */) inString = false;
      continue;
    }
    if (code === 0x22) inString = true;
    else if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
      depth += 1;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (code === 0x7d /* } */ || code === 0x5d /* ] */) depth -= 1;
  }
  return deepest;
}

/**
 * How deeply a parsed value nests, with an explicit stack (no recursion), stopping once
 * past `stopAbove`. A bare scalar has depth 0, `{}` and `[]` depth 1.
 */
export function jsonValueDepth(value: unknown, stopAbove = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    const here = depth + 1;
    if (here > deepest) {
      deepest = here;
      if (deepest > stopAbove) return deepest;
    }
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push([child, here]);
    }
  }
  return deepest;
}
