import fc from 'fast-check';
import { CONTROL_AND_UNICODE, EDGE_DATES, EDGE_NUMBERS, EDGE_TIMESTAMPS, HOSTILE_JSON, TZ_NAMES, lengthsAround } from './hostile-values';
import { LiveRef } from './live-values';
import { JsonSchema } from './openapi-operations';

/** How values are drawn for one request. */
export interface DrawOptions {
  /** Fields the server has live values for: drawn from those most of the time. */
  live: readonly string[];
}

/** Bounds on what "valid" generation builds, to keep a request small and a run fast. */
const MAX_VALID_STRING = 40;
const MAX_VALID_ITEMS = 4;

/** A valid value for `schema` (named `field` in its parent): drawn from the schema, or a live value the server knows. */
export function valueFor(schema: JsonSchema, options: DrawOptions, field?: string): fc.Arbitrary<unknown> {
  const choices: Array<fc.WeightedArbitrary<unknown>> = [{ arbitrary: validFor(schema, options, field), weight: 2 }];
  // Live values dominate: a request is only as deep as its least lucky field.
  if (field !== undefined && options.live.includes(field)) choices.push({ arbitrary: fc.nat(63).map((pick) => new LiveRef(field, pick)), weight: 16 });
  return fc.oneof(...choices);
}

function validFor(schema: JsonSchema, options: DrawOptions, field?: string): fc.Arbitrary<unknown> {
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((option) => valueFor(option, options)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (typeOf(schema) ?? 'untyped') {
    case 'object':
      return objectFor(schema, options);
    case 'array':
      return fc.array(valueFor(schema.items ?? {}, options), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? MAX_VALID_ITEMS, MAX_VALID_ITEMS)),
      });
    case 'string':
      return stringFor(schema, field);
    case 'integer':
      return fc.integer({ min: lowerBound(schema, 1), max: upperBound(schema, 1) });
    case 'number':
      return fc.double({ min: lowerBound(schema, Number.MIN_VALUE), max: upperBound(schema, Number.MIN_VALUE), noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    default:
      // `{}`: free-form JSON (a session's data), shallow when valid, mostly an object as callers send.
      return fc.oneof(
        { arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), weight: 3 },
        { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
      );
  }
}

function objectFor(schema: JsonSchema, options: DrawOptions): fc.Arbitrary<unknown> {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const declared = fc.record(
    Object.fromEntries(
      Object.entries(properties).map(([name, property]) => [
        name,
        required.has(name) ? valueFor(property, options, name) : optional(valueFor(property, options, name), options.live.includes(name)),
      ]),
    ),
  );
  const extra = schema.additionalProperties;
  if (typeof extra !== 'object') return declared;
  const keys = schema.propertyNames ? stringFor(schema.propertyNames) : fc.string({ maxLength: 20 });
  return fc.tuple(declared, fc.dictionary(keys, valueFor(extra, options), { maxKeys: 3 })).map(([known, more]) => ({ ...more, ...known }));
}

/**
 * An optional property is left out more often than not, unless the server knows a value
 * for it: every extra field is one more chance to be refused before the handler runs.
 * (undefined is dropped when the body is serialized.)
 */
function optional(value: fc.Arbitrary<unknown>, known: boolean): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: fc.constant(undefined), weight: known ? 1 : 4 }, { arbitrary: value, weight: known ? 3 : 1 });
}

function stringFor(schema: JsonSchema, field?: string): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.max(min, Math.min(schema.maxLength ?? MAX_VALID_STRING, MAX_VALID_STRING));
  if (schema.format === 'date-time') {
    // Instants near now are what a client sends; the pattern alone allows years 0000–9999.
    const nearNow = fc.integer({ min: -30 * 86_400_000, max: 86_400_000 }).map((offset) => new Date(Date.now() + offset).toISOString());
    return fc.oneof({ arbitrary: nearNow, weight: 3 }, { arbitrary: fc.stringMatching(new RegExp(schema.pattern ?? '.*')), weight: 1 });
  }
  if (schema.pattern)
    return fc.stringMatching(new RegExp(schema.pattern)).filter((value) => value.length >= min && value.length <= (schema.maxLength ?? Infinity));
  const random = fc.string({ minLength: min, maxLength: max });
  const plausible = fc
    .constantFrom(...(typeof schema.default === 'string' ? [schema.default] : []), ...plausibleStrings(field))
    .filter((value) => value.length >= min && value.length <= (schema.maxLength ?? Infinity));
  return fc.oneof({ arbitrary: plausible, weight: 3 }, { arbitrary: random, weight: 1 });
}

/**
 * An unconstrained string in this API is a time zone, a date or instant, a name, or a
 * cursor, which the schema cannot say (`{ "type": "string" }`); the documented shapes of
 * the fields that take them get a request past the first check, where the interesting
 * failures are. Fields not named here get all shapes.
 */
function plausibleStrings(field: string | undefined): string[] {
  const day = 86_400_000;
  const iso = (offset: number) => new Date(Date.now() + offset).toISOString();
  const zones = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata'];
  const times = [iso(-day), iso(-7 * day), iso(0), iso(-30 * day).slice(0, 10), iso(0).slice(0, 10)];
  const names = ['home', 'POST /checkout', 'success', 'beginning'];
  const shapes: Record<string, string[]> = { tz: zones, from: times, to: times, steps: ['home,POST /checkout', 'home,success,POST /checkout'] };
  return (field !== undefined && shapes[field]) || [...zones, ...times, ...names];
}

/** Values at the edges of `schema`, and hostile ones for its type. */
export function boundaryFor(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((option) => boundaryFor(option)));
  switch (typeOf(schema) ?? 'untyped') {
    case 'string': {
      // An instant field is tried at the edges of time first; its other boundaries are the common ones.
      if (schema.format === 'date-time')
        return fc.oneof(
          { arbitrary: fc.constantFrom(...EDGE_TIMESTAMPS), weight: 3 },
          { arbitrary: fc.constantFrom(...EDGE_DATES, ...CONTROL_AND_UNICODE, ''), weight: 1 },
        );
      const prefix = schema.pattern ? 'ab' : '';
      return fc.constantFrom(
        ...lengthsAround(schema.maxLength),
        ...CONTROL_AND_UNICODE,
        ...CONTROL_AND_UNICODE.map((character) => `${prefix}${character}z`),
        ...EDGE_TIMESTAMPS,
        ...EDGE_DATES,
        ...TZ_NAMES,
      );
    }
    case 'integer':
    case 'number': {
      const edges = [schema.minimum, schema.maximum, schema.exclusiveMinimum, schema.exclusiveMaximum].filter((n): n is number => n !== undefined);
      return fc.constantFrom(...edges.flatMap((n) => [n - 1, n, n + 1]), 1.5, ...EDGE_NUMBERS);
    }
    case 'array': {
      const item = validFor(schema.items ?? {}, { live: [] });
      const sizes = [0, schema.minItems, schema.maxItems, schema.maxItems === undefined ? undefined : schema.maxItems + 1].filter(
        (n): n is number => n !== undefined && n >= 0,
      );
      return fc.tuple(item, fc.constantFrom(...sizes)).map(([one, size]) => Array.from({ length: size }, () => one));
    }
    case 'object':
      return schema.properties ? fc.constantFrom({}, ...HOSTILE_JSON) : fc.constantFrom(...HOSTILE_JSON);
    case 'boolean':
      return fc.constantFrom(true, false);
    default:
      return fc.constantFrom(...HOSTILE_JSON);
  }
}

/** A value of another JSON type than `schema` allows. */
export function wrongTypeFor(schema: JsonSchema): fc.Arbitrary<unknown> {
  const type = typeOf(schema);
  const all: Record<string, unknown[]> = {
    string: ['1', ''],
    integer: [1, -1],
    number: [1.5],
    boolean: [true],
    object: [{}, { a: 1 }],
    array: [[], ['a']],
    null: [null],
  };
  const others = Object.entries(all)
    .filter(([name]) => name !== type && !(type === 'number' && name === 'integer') && !(type === 'integer' && name === 'number'))
    .flatMap(([, values]) => values);
  return fc.constantFrom(...others);
}

function typeOf(schema: JsonSchema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((type) => type !== 'null');
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  return undefined;
}

function lowerBound(schema: JsonSchema, step: number): number {
  if (schema.exclusiveMinimum !== undefined) return schema.exclusiveMinimum + step;
  return Math.max(schema.minimum ?? -(2 ** 31), Number.MIN_SAFE_INTEGER);
}

function upperBound(schema: JsonSchema, step: number): number {
  if (schema.exclusiveMaximum !== undefined) return schema.exclusiveMaximum - step;
  return Math.min(schema.maximum ?? 2 ** 31, Number.MAX_SAFE_INTEGER);
}
