import fc from 'fast-check';
import { acceptEnvelope, checkEnvelope, eventEnvelopeSchema } from './event-envelope.schema';

const valid = {
  id: '01900000-0000-7000-8000-000000000002',
  type: 'SessionStarted',
  version: 1,
  occurredAt: '2026-11-26T10:00:00.000Z',
  product: 'p',
  env: 'snd',
  tag: 't',
  sessionId: '01900000-0000-7000-8000-000000000001',
  identifier: 'u-1',
  data: { expiresAt: '2026-11-26T11:00:00.000Z' },
  meta: { source: 'api' },
};

/** An object `depth` levels deep (`{}` is 1), built without recursion. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let level = 1; level < depth; level += 1) value = { a: value };
  return value;
}

describe('checkEnvelope', () => {
  it('accepts a well-formed envelope of a known type and version', () => {
    const check = checkEnvelope(JSON.stringify(valid));
    expect(check).toEqual({ ok: true, event: valid });
  });

  it.each([
    ['malformed JSON', '{"id":', 'malformed JSON'],
    ['a missing field', JSON.stringify({ ...valid, sessionId: undefined }), 'invalid envelope: sessionId'],
    ['a bad timestamp', JSON.stringify({ ...valid, occurredAt: 'yesterday' }), 'invalid envelope: occurredAt'],
    ['an unknown type', JSON.stringify({ ...valid, type: 'Mystery' }), "unknown event type 'Mystery'"],
    ['an unknown version', JSON.stringify({ ...valid, version: 9 }), "unknown version 9 of 'SessionStarted'"],
    // The read model's limits: what ClickHouse could not store, or the analytics not compute on.
    [
      'an instant before 1970',
      JSON.stringify({ ...valid, occurredAt: '1800-01-01T00:00:00.000Z' }),
      'invalid envelope: occurredAt is outside the instants the read model can store',
    ],
    ['an instant past DateTime', JSON.stringify({ ...valid, occurredAt: '2300-01-01T00:00:00.000Z' }), 'invalid envelope: occurredAt is outside'],
    [
      'a control character in the identifier',
      JSON.stringify({ ...valid, identifier: 'u\u0000-1' }),
      'invalid envelope: identifier contains a control character',
    ],
    ['a control character in the tag', JSON.stringify({ ...valid, tag: 'line\nbreak' }), 'invalid envelope: tag contains a control character'],
    ['a product name too long', JSON.stringify({ ...valid, product: 'p'.repeat(129) }), 'invalid envelope: product'],
    ['an identifier too long', JSON.stringify({ ...valid, identifier: 'u'.repeat(257) }), 'invalid envelope: identifier'],
    ['data nested too deep', JSON.stringify({ ...valid, data: nested(33) }), 'invalid envelope: data nests deeper than 32 levels'],
    // Written as text: JSON.stringify itself cannot serialise it.
    [
      'data nested far too deep for recursion',
      JSON.stringify({ ...valid, data: 0 }).replace('"data":0', `"data":${'{"a":'.repeat(99_999)}{}${'}'.repeat(99_999)}`),
      'invalid envelope: data nests deeper than 32 levels',
    ],
  ])('refuses %s with a reason', (_case, raw, reason) => {
    const check = checkEnvelope(raw);
    expect(check.ok).toBe(false);
    expect(check.ok === false && check.reason).toContain(reason);
  });

  it.each([
    ['the first storable instant', { occurredAt: '1970-01-01T00:00:00.000Z' }],
    ['the last storable instant', { occurredAt: '2106-02-07T06:28:15.000Z' }],
    ['names and identifiers at their length limits', { product: 'p'.repeat(128), identifier: 'u'.repeat(256) }],
    ['data exactly 32 levels deep', { data: nested(32) }],
    ['non-ASCII names', { tag: 'überschrift-日本' }],
  ])('accepts %s', (_case, change) => {
    expect(checkEnvelope(JSON.stringify({ ...valid, ...change })).ok).toBe(true);
  });
});

describe('acceptEnvelope (the hand-written fast path)', () => {
  // Values near every rule's edge, for any member: the fast path must agree with the
  // schema on each, and on arbitrary mixes of them.
  const strings = fc.constantFrom(
    '',
    'a',
    'x'.repeat(128),
    'x'.repeat(129),
    'x'.repeat(256),
    'x'.repeat(257),
    'é'.repeat(128),
    '日本'.repeat(65),
    'a\u0000b',
    '\u007f',
    'x\u009f',
    'tab\t',
    '\u00a0nbsp',
  );
  const uuids = fc.oneof(
    fc.uuid(),
    fc.constantFrom(
      '01900000-0000-7000-8000-000000000001',
      '01900000-0000-0000-8000-000000000001', // version 0
      '01900000-0000-9000-8000-000000000001', // version 9
      '01900000-0000-7000-c000-000000000001', // variant c
      '00000000-0000-0000-0000-000000000000',
      'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      '01900000000070008000000000000001',
      '01900000-0000-7000-8000-00000000000g',
    ),
  );
  const timestamps = fc.oneof(
    fc.date({ min: new Date('1900-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }).map((date) => date.toISOString()),
    fc.constantFrom('1969-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z', '2106-02-07T06:28:15.000Z', '2106-02-07T06:28:15.001Z', '0000-01-01T00:00:00.000Z'),
    fc.constantFrom(
      '2026-11-26T10:00:00Z',
      '2026-11-26T10:00:00.0000Z',
      '2026-11-26T10:00:00.000+01:00',
      '2024-02-29T00:00:00.000Z',
      '2026-02-29T00:00:00.000Z',
      '2026-11-26 10:00:00.000',
      '2026-11-26T24:00:00.000Z',
    ),
  );
  const numbers = fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, Infinity, NaN));
  const odd = fc.constantFrom(undefined, null, [], {}, 1, 'x', true, [1]);
  const metas = fc.record(
    {
      source: fc.oneof(fc.string(), odd),
      requestId: fc.option(fc.oneof(fc.string(), odd), { nil: undefined }),
      extra: fc.option(fc.string(), { nil: undefined }),
    },
    { requiredKeys: [] },
  );
  // Edge values per member; a generated envelope is a valid one with a few members
  // swapped for these, so most cases sit one rule away from acceptance.
  const edges: Record<string, fc.Arbitrary<unknown>> = {
    id: fc.oneof(uuids, odd),
    type: fc.oneof(strings, odd),
    version: fc.oneof(numbers, odd),
    occurredAt: fc.oneof(timestamps, odd),
    product: fc.oneof(strings, odd),
    env: fc.oneof(strings, odd),
    tag: fc.oneof(strings, odd),
    sessionId: fc.oneof(uuids, odd),
    identifier: fc.oneof(strings, odd),
    data: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.constantFrom(31, 32, 33, 40).map(nested), odd),
    meta: fc.oneof(metas, odd),
    unexpected: fc.string(),
  };
  const envelope = fc
    .subarray(Object.keys(edges), { minLength: 0, maxLength: 3 })
    .chain((keys) => fc.record(Object.fromEntries(keys.map((key) => [key, edges[key]]))))
    .map((swapped) => Object.fromEntries(Object.entries({ ...valid, ...swapped }).filter(([, value]) => value !== undefined)));

  it('accepts exactly what the schema accepts, with the same output', () => {
    fc.assert(
      fc.property(envelope, (generated) => {
        // What checkEnvelope sees: the value after a trip through JSON.
        const value: unknown = JSON.parse(JSON.stringify(generated));
        const schema = eventEnvelopeSchema.safeParse(value);
        const fast = acceptEnvelope(value);
        expect(fast !== undefined).toBe(schema.success);
        if (schema.success) expect(fast).toStrictEqual(schema.data);
      }),
      { numRuns: 3000 },
    );
  });

  it('accepts the valid envelope and drops unknown members like the schema', () => {
    const withExtras = { ...valid, extra: 1, meta: { source: 'api', requestId: 'r-1', other: true } };
    expect(acceptEnvelope(withExtras)).toStrictEqual(eventEnvelopeSchema.parse(withExtras));
    expect(acceptEnvelope(withExtras)).toStrictEqual({ ...valid, meta: { source: 'api', requestId: 'r-1' } });
  });
});
