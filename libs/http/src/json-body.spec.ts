import { DomainError, MAX_JSON_DEPTH } from '@waymark/domain';
import { MAX_BODY_DEPTH, findPrototypeKey, parseJsonBody } from './json-body';

function refusal(text: string): DomainError {
  try {
    parseJsonBody(text);
  } catch (error) {
    return error as DomainError;
  }
  throw new Error(`accepted: ${text.slice(0, 80)}`);
}

describe('parseJsonBody', () => {
  it('parses an ordinary body', () => {
    expect(parseJsonBody('{"product":"p","data":{"userId":"u","tags":["a"]}}')).toEqual({ product: 'p', data: { userId: 'u', tags: ['a'] } });
  });

  it('refuses a body nested past the limit before parsing it, even one JSON.parse would overflow on later', () => {
    const deep = '{"data":' + '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000) + '}';
    const error = refusal(deep);
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.fieldErrors).toEqual([{ field: 'body', message: `nests deeper than ${MAX_BODY_DEPTH} levels` }]);
    expect(MAX_BODY_DEPTH).toBeGreaterThan(MAX_JSON_DEPTH);
  });

  it('takes a body exactly at the limit', () => {
    expect(() => parseJsonBody('['.repeat(MAX_BODY_DEPTH) + ']'.repeat(MAX_BODY_DEPTH))).not.toThrow();
  });

  it('names an empty body and bad JSON on the body', () => {
    expect(refusal('  ').fieldErrors[0]).toEqual({ field: 'body', message: 'is empty; send a JSON object' });
    expect(refusal('{"a":').fieldErrors[0].message).toMatch(/^is not valid JSON/);
  });

  it('refuses __proto__ wherever it sits, also spelled with escapes, naming its path', () => {
    expect(refusal('{"__proto__":{"admin":true}}').fieldErrors[0]).toEqual({ field: '__proto__', message: expect.stringContaining('__proto__ is refused') });
    expect(refusal('{"data":{"list":[{"\\u005f_proto__":1}]}}').fieldErrors[0].field).toBe('data.list.0.__proto__');
  });

  it('refuses constructor.prototype but not a plain constructor or prototype field', () => {
    expect(refusal('{"data":{"constructor":{"prototype":{"x":1}}}}').fieldErrors[0]).toEqual({
      field: 'data.constructor.prototype',
      message: expect.stringContaining('constructor.prototype is refused'),
    });
    expect(parseJsonBody('{"data":{"constructor":"Ford","prototype":true}}')).toEqual({ data: { constructor: 'Ford', prototype: true } });
  });
});

describe('unpaired surrogates', () => {
  it('refuses half a surrogate pair in a value or a key, naming where it sits', () => {
    expect(refusal('{"data":{"userId":"lone-\\udbff"}}').fieldErrors[0]).toEqual({ field: 'data.userId', message: expect.stringContaining('surrogate') });
    expect(refusal('{"records":[{"properties":{"k\\udc00":1}}]}').fieldErrors[0].field).toBe('records.0.properties.k\udc00');
    expect(refusal('"\\ud800"').fieldErrors[0].field).toBe('body');
  });

  it('takes a whole pair, escaped or not', () => {
    expect(parseJsonBody('{"a":"\\ud83d\\ude00","b":"😀"}')).toEqual({ a: '😀', b: '😀' });
  });
});

describe('findPrototypeKey', () => {
  it('finds nothing in a value without such keys', () => {
    expect(findPrototypeKey({ a: [{ b: 1 }], c: null })).toBeUndefined();
  });
});
