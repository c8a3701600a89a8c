/**
 * Values the server knows right now (a live session's token, its refresh token, ids
 * it answered with), by field name. Generated requests carry a `LiveRef` that is bound
 * at send time rather than a value drawn at generation time: the tokens of a run are
 * random, so a seed fixes which live value a request uses, not the value itself, and
 * requests that reach past the token check are what find the deeper faults.
 */
export class LiveRef {
  constructor(
    readonly field: string,
    readonly pick: number,
  ) {}

  toString(): string {
    return `<live ${this.field} #${this.pick}>`;
  }
}

/** Response fields worth reusing, and the request fields they feed. */
const FEEDS: Record<string, string[]> = {
  token: ['token'],
  refreshToken: ['refreshToken'],
  sessionId: ['sessionId', 'exceptSessionId'],
  identifier: ['identifier'],
  id: ['id'],
};
/** Recent values only: older sessions are the likeliest to have been revoked meanwhile. */
const KEPT_PER_FIELD = 4;

export class LiveValues {
  /** Values the server answered with, and the scope the live sessions were started in. */
  private readonly values = new Map<string, unknown[]>();
  private readonly answered = new Set<string>();
  /** The example of the operation being fuzzed: an example belongs to its operation (`from` means one thing to a replay, another to analytics). */
  private examples = new Map<string, unknown[]>();

  /**
   * Fields with at least one value; only those get LiveRefs. Path parameters take only
   * values the server answered with: an example scope in a path (`…/session-specs/session-tag`)
   * would let the fuzzer delete the spec every other request depends on.
   */
  fields(source: 'any' | 'answers' = 'any'): string[] {
    if (source === 'answers') return [...this.answered];
    return [...new Set([...this.values.keys(), ...this.examples.keys()])];
  }

  /** A value the server knows for `field` without having answered it (the live sessions' scope). */
  add(field: string, value: unknown): void {
    const list = this.values.get(field) ?? [];
    if (list.some((known) => JSON.stringify(known) === JSON.stringify(value))) return;
    list.push(value);
    if (list.length > KEPT_PER_FIELD) list.shift();
    this.values.set(field, list);
  }

  /** The document's example request of the operation about to be fuzzed, replacing the last one. */
  useExample(example: unknown): void {
    const entries = example !== null && typeof example === 'object' && !Array.isArray(example) ? Object.entries(example) : [];
    this.examples = new Map(entries.map(([field, value]) => [field, [value]]));
  }

  /** Keeps the reusable fields of a successful answer. */
  learn(answer: unknown): void {
    if (answer === null || typeof answer !== 'object') return;
    for (const [field, targets] of Object.entries(FEEDS)) {
      const value = (answer as Record<string, unknown>)[field];
      if (typeof value !== 'string') continue;
      for (const target of targets) {
        this.add(target, value);
        this.answered.add(target);
      }
    }
  }

  /** Replaces every LiveRef in a generated value by the value it picks now. */
  bind(value: unknown): unknown {
    if (value instanceof LiveRef) {
      const list = [...(this.values.get(value.field) ?? []), ...(this.examples.get(value.field) ?? [])];
      return list.length === 0 ? undefined : list[value.pick % list.length];
    }
    if (Array.isArray(value)) return value.map((item) => this.bind(item));
    // Generated records may have a null prototype; RawJson and other class instances pass through.
    const prototype = value !== null && typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
    if (prototype === Object.prototype || prototype === null) {
      const out: Record<string, unknown> = {};
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record))
        Object.defineProperty(out, key, { value: this.bind(record[key]), enumerable: true, writable: true, configurable: true });
      return out;
    }
    return value;
  }
}
