import { OpenedTokenCache, deepFreeze } from './opened-token-cache';

describe('OpenedTokenCache', () => {
  it('keeps at most maxEntries, dropping the oldest first', () => {
    const cache = new OpenedTokenCache<number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([undefined, 2, 3, 2]);
  });

  it('does not keep tokens longer than maxTokenLength', () => {
    const cache = new OpenedTokenCache<number>(10, 4);
    cache.set('12345', 1);
    expect(cache.get('12345')).toBeUndefined();
  });
});

describe('deepFreeze', () => {
  it('freezes nested objects and arrays', () => {
    const value = deepFreeze({ a: { b: [1, { c: 2 }] } });
    expect(Object.isFrozen(value.a.b[1])).toBe(true);
    expect(Object.isFrozen(value.a.b)).toBe(true);
  });
});
