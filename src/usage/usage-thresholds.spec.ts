import fc from 'fast-check';
import { reachedThresholds } from './usage-thresholds.js';

describe('reachedThresholds', () => {
  it('names the thresholds usage stands at', () => {
    expect(reachedThresholds(7_999, 10_000)).toEqual([]);
    expect(reachedThresholds(8_000, 10_000)).toEqual([80]);
    expect(reachedThresholds(9_999, 10_000)).toEqual([80]);
    expect(reachedThresholds(10_000, 10_000)).toEqual([80, 100]);
    expect(reachedThresholds(12_000, 10_000)).toEqual([80, 100]);
    expect(reachedThresholds(5, 0)).toEqual([]);
  });

  it('counts a request refused for the quota as having reached 100%', () => {
    expect(reachedThresholds(9_990, 10_000, true)).toEqual([80, 100]);
    expect(reachedThresholds(100, 10_000, true)).toEqual([100]);
  });

  it('only ever adds thresholds as usage grows, and never 100% without 80%', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 0, max: 20_000_000 }), fc.integer({ min: 0, max: 20_000_000 }), fc.boolean(), (quota, a, b, refused) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        const before = reachedThresholds(low, quota);
        const after = reachedThresholds(high, quota, refused);
        expect(before.every((percent) => after.includes(percent))).toBe(true);
        if (after.includes(100) && !refused) expect(after).toContain(80);
      }),
    );
  });
});
