import { DomainError, MAX_JSON_DEPTH, jsonTextDepth } from '@waymark/domain';

/**
 * How deep a whole request body may nest. The fields that hold free JSON (session
 * `data`, activity `properties`) are held to MAX_JSON_DEPTH by their schemas, which name
 * the field; a body sits a few levels above them (`records[].properties`), so a body
 * deeper than twice that cannot be valid whatever field holds the depth, and refusing it
 * here, on the text, keeps every recursive step after it (JSON.parse, zod,
 * JSON.stringify) on small stacks.
 */
export const MAX_BODY_DEPTH = 2 * MAX_JSON_DEPTH;

/** Keys that reach an object's prototype once a parsed body is merged or assigned anywhere. */
const PROTOTYPE_KEY = '__proto__';

/**
 * A request body as a JSON value, or a refusal naming what is wrong with it. Depth is
 * checked on the raw text before anything parses it; prototype keys are refused by name
 * (with the path where they sit) rather than silently dropped, so a caller learns why.
 */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') {
    throw DomainError.forField('INVALID_REQUEST', 'body', 'is empty; send a JSON object');
  }
  if (jsonTextDepth(text, MAX_BODY_DEPTH) > MAX_BODY_DEPTH) {
    throw DomainError.forField('INVALID_REQUEST', 'body', `nests deeper than ${MAX_BODY_DEPTH} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw DomainError.forField('INVALID_REQUEST', 'body', `is not valid JSON: ${(error as Error).message}`);
  }
  // Only a body that spells these words (or escapes anything) can hold such a key, so
  // ordinary bodies skip the walk.
  if (/__proto__|prototype|\\u/.test(text)) {
    const offending = findPrototypeKey(value);
    if (offending) {
      throw DomainError.forField('INVALID_REQUEST', offending.field, offending.message);
    }
  }
  // Text decoded from UTF-8 is well-formed; only a `\uD800`-style escape makes half a
  // surrogate pair, which ClickHouse refuses to parse (the event would be acknowledged,
  // then dead-lettered), and which no real name or value needs.
  if (SURROGATE_ESCAPE.test(text)) {
    const field = findLoneSurrogate(value);
    if (field !== undefined) {
      throw DomainError.forField(
        'INVALID_REQUEST',
        field || 'body',
        'holds half of a UTF-16 surrogate pair (an unpaired \\uD800-\\uDFFF escape); send well-formed Unicode',
      );
    }
  }
  return value;
}

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The dotted path of the first key or string holding an unpaired surrogate ('' for the
 * body itself), or undefined. Iterative, like findPrototypeKey.
 */
export function findLoneSurrogate(value: unknown): string | undefined {
  const stack: Array<[unknown, string[]]> = [[value, []]];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current === 'string') {
      if (LONE_SURROGATE.test(current)) return path.join('.');
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    const entries: Array<[string, unknown]> = Array.isArray(current) ? current.map((item, index) => [String(index), item]) : Object.entries(current);
    for (const [key, child] of entries) {
      if (LONE_SURROGATE.test(key)) return [...path, key].join('.');
      stack.push([child, [...path, key]]);
    }
  }
  return undefined;
}

interface PrototypeKey {
  field: string;
  message: string;
}

/**
 * The first `__proto__` key, or `constructor` object holding `prototype`, in a parsed
 * value, with its dotted path. Iterative: the value's depth is already bounded, but the
 * walk must not depend on that.
 */
export function findPrototypeKey(value: unknown): PrototypeKey | undefined {
  const stack: Array<[unknown, string[]]> = [[value, []]];
  while (stack.length > 0) {
    const [current, path] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    const entries: Array<[string, unknown]> = Array.isArray(current) ? current.map((item, index) => [String(index), item]) : Object.entries(current);
    for (const [key, child] of entries) {
      const here = [...path, key];
      if (key === PROTOTYPE_KEY) {
        return { field: here.join('.'), message: 'a key named __proto__ is refused: it would reach the prototype of every object' };
      }
      if (key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype')) {
        return { field: [...here, 'prototype'].join('.'), message: 'constructor.prototype is refused: it would reach the prototype of every object' };
      }
      if (typeof child === 'object' && child !== null) stack.push([child, here]);
    }
  }
  return undefined;
}
