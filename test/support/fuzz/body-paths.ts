import { JsonSchema } from './openapi-operations';

export type JsonPath = Array<string | number>;

/** Deep enough for `records[0].properties`; deeper fields are reached by the hostile values themselves. */
const MAX_DEPTH = 4;

/**
 * Every place in a body the schema describes, with its schema: top-level fields, fields
 * of nested objects, and the first item of each array (`records.0.occurredAt`). A
 * boundary request puts one hostile value at one of these places and keeps the rest
 * valid, so the value reaches the check (or the lack of one) it is aimed at.
 */
export function bodyPaths(schema: JsonSchema, prefix: JsonPath = []): Array<{ path: JsonPath; schema: JsonSchema }> {
  if (prefix.length >= MAX_DEPTH) return [];
  const found: Array<{ path: JsonPath; schema: JsonSchema }> = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const path = [...prefix, name];
    found.push({ path, schema: property }, ...bodyPaths(property, path));
  }
  if (schema.items) found.push(...bodyPaths(schema.items, [...prefix, 0]));
  return found;
}

/**
 * A copy of `value` with `leaf` at `path`. Containers missing on the way are taken from
 * `filler` (the document's example, which is valid) so the rest of the body stays valid.
 */
export function setAt(value: unknown, path: JsonPath, leaf: unknown, filler: unknown): unknown {
  if (path.length === 0) return leaf;
  const [step, ...rest] = path;
  const fill = isContainer(filler) ? (filler as Record<string | number, unknown>)[step] : undefined;
  if (typeof step === 'number') {
    const base = Array.isArray(value) && value.length > 0 ? [...value] : Array.isArray(filler) && filler.length > 0 ? [...filler] : [{}];
    base[step] = setAt(base[step], rest, leaf, fill);
    return base;
  }
  const base: Record<string, unknown> =
    isContainer(value) && !Array.isArray(value)
      ? { ...(value as Record<string, unknown>) }
      : isContainer(filler) && !Array.isArray(filler)
        ? { ...(filler as Record<string, unknown>) }
        : {};
  Object.defineProperty(base, step, { value: setAt(base[step], rest, leaf, fill), enumerable: true, writable: true, configurable: true });
  return base;
}

function isContainer(value: unknown): boolean {
  return value !== null && typeof value === 'object';
}
