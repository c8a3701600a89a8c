import crypto from 'node:crypto';
import { constantTimeEqual, findConstantTime } from './constant-time';

describe('constant-time comparison', () => {
  afterEach(() => jest.restoreAllMocks());

  it('tells equal strings from different ones of the same length, through crypto.timingSafeEqual', () => {
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    expect(constantTimeEqual('a'.repeat(43), 'a'.repeat(43))).toBe(true);
    expect(constantTimeEqual('a'.repeat(43), 'a'.repeat(42) + 'b')).toBe(false);
    expect(spy).toHaveBeenCalledTimes(2);
  });

  it('refuses strings of other lengths, still after one comparison', () => {
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('finds the first match among candidates, comparing every one', () => {
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    expect(findConstantTime('x', ['x', 'y', 'x', 'z'])).toBe(0);
    expect(spy).toHaveBeenCalledTimes(4);
    expect(findConstantTime('q', ['x', 'y'])).toBe(-1);
    expect(findConstantTime('q', [])).toBe(-1);
  });
});
