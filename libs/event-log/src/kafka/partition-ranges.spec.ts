import { dedupKeyOfRanges } from './partition-ranges';

describe('dedupKeyOfRanges', () => {
  it('names every partition range, sorted by partition whatever the gathering order', () => {
    const key = dedupKeyOfRanges([
      { partition: 3, from: '10', to: '10' },
      { partition: 0, from: '5', to: '9' },
    ]);
    expect(key).toBe('0:5-9,3:10-10');
    expect(
      dedupKeyOfRanges([
        { partition: 0, from: '5', to: '9' },
        { partition: 3, from: '10', to: '10' },
      ]),
    ).toBe(key);
  });

  it('tells apart two groupings that share their first and last positions', () => {
    const narrow = dedupKeyOfRanges([
      { partition: 0, from: '5', to: '9' },
      { partition: 3, from: '10', to: '10' },
    ]);
    const wide = dedupKeyOfRanges([
      { partition: 0, from: '5', to: '9' },
      { partition: 1, from: '0', to: '4' },
      { partition: 3, from: '10', to: '10' },
    ]);
    expect(narrow).not.toBe(wide);
  });

  it('tells apart ranges that differ in one bound only', () => {
    expect(dedupKeyOfRanges([{ partition: 2, from: '0', to: '9' }])).not.toBe(dedupKeyOfRanges([{ partition: 2, from: '0', to: '10' }]));
  });

  it('tells apart the same offsets holding other records (a re-created topic), and names the same records alike', () => {
    const before = dedupKeyOfRanges([{ partition: 0, from: '0', to: '9', firstRaw: '{"eventId":"a"}' }]);
    expect(dedupKeyOfRanges([{ partition: 0, from: '0', to: '9', firstRaw: '{"eventId":"a"}' }])).toBe(before);
    expect(dedupKeyOfRanges([{ partition: 0, from: '0', to: '9', firstRaw: '{"eventId":"b"}' }])).not.toBe(before);
    expect(before).toMatch(/^0:0-9~[0-9a-f]{12}$/);
  });
});
