import fc from 'fast-check';
import { MAX_OCCURRED_AT_MS, MIN_OCCURRED_AT_MS, hasControlCharacter, isStorableInstant, jsonTextDepth, jsonValueDepth } from './read-model-limits';

describe('read-model limits', () => {
  it('measures JSON depth from the text exactly as from the parsed value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(jsonTextDepth(text)).toBe(jsonValueDepth(value));
      }),
    );
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonTextDepth('{"a":"[[[{{\\"[[["}')).toBe(1);
    expect(jsonTextDepth('[[["x\\\\"]]]')).toBe(3);
    expect(jsonTextDepth('"plain"')).toBe(0);
  });

  it('stops counting past the limit without walking the whole value (100,000 levels, no stack overflow)', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(jsonTextDepth(deep, 32)).toBe(33);
    let value: unknown = 1;
    for (let i = 0; i < 100_000; i += 1) value = [value];
    expect(jsonValueDepth(value, 32)).toBe(33);
  });

  it('knows the instants the read model stores: the DateTime range, epoch to 2106', () => {
    expect(isStorableInstant(MIN_OCCURRED_AT_MS)).toBe(true);
    expect(isStorableInstant(MIN_OCCURRED_AT_MS - 1)).toBe(false);
    expect(isStorableInstant(MAX_OCCURRED_AT_MS)).toBe(true);
    expect(isStorableInstant(MAX_OCCURRED_AT_MS + 1)).toBe(false);
    expect(new Date(MAX_OCCURRED_AT_MS).toISOString()).toBe('2106-02-07T06:28:15.000Z');
    expect(isStorableInstant(Number.NaN)).toBe(false);
  });

  it('finds control characters, C0, DEL and C1, and nothing else', () => {
    for (const bad of ['a\u0000b', 'tab\there', 'nl\n', '\u007f', '\u0085', '\u009f']) expect(hasControlCharacter(bad)).toBe(true);
    for (const good of ['user-1', 'fikayo@ductape.app', 'ünïcødé', '𝕏', ' space ']) expect(hasControlCharacter(good)).toBe(false);
  });
});
