/**
 * JSON text that a generated value carries as is. Some hostile inputs cannot be built
 * as JavaScript values and then stringified: 10,000 levels of nesting would overflow
 * JSON.stringify's recursion long before the server sees them, and a duplicated key or
 * a number beyond float range does not survive a round trip through an object.
 */
export class RawJson {
  constructor(
    readonly text: string,
    /** Shown instead of the text in failure reports (the text can be 100 KB). */
    readonly label: string,
  ) {}

  toString(): string {
    return this.label;
  }
}

/** JSON text of a generated value; RawJson parts are spliced in verbatim. */
export function serialize(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((item) => serialize(item === undefined ? null : item)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    // Own keys only, and `__proto__` among them when a generator made it an own key.
    const entries = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${serialize((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Nesting deep enough to defeat any recursive walk of the parsed value. */
export function deeplyNested(levels: number, kind: 'object' | 'array'): RawJson {
  const [open, close] = kind === 'object' ? ['{"a":', '}'] : ['[', ']'];
  return new RawJson(`${open.repeat(levels)}1${close.repeat(levels)}`, `<${kind} nested ${levels} levels>`);
}
