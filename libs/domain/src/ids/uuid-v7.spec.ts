import { UUID_PATTERN, createUuidV7Generator } from './uuid-v7';

describe('createUuidV7Generator', () => {
  it('mints RFC 9562 version 7 ids carrying the clock in their first 48 bits', () => {
    const now = Date.UTC(2026, 10, 26, 12, 0, 0, 123);
    const id = createUuidV7Generator(() => now)();

    expect(id).toMatch(UUID_PATTERN);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now);
  });

  it('keeps ids strictly increasing within one millisecond and when the clock steps back', () => {
    const times = [1000, 1000, 1000, 999, 1001];
    let call = 0;
    const next = createUuidV7Generator(() => times[Math.min(call++, times.length - 1)]);
    const ids = times.map(() => next());

    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('stays unique over many ids', () => {
    const next = createUuidV7Generator();
    const ids = new Set(Array.from({ length: 20000 }, () => next()));
    expect(ids.size).toBe(20000);
  });
});
