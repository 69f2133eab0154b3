import fc from 'fast-check';
import { crossedThresholds } from './usage-thresholds.js';

describe('crossedThresholds', () => {
  it('names a threshold when usage reaches it, not before and not again', () => {
    expect(crossedThresholds(7_999, 8_000, 10_000)).toEqual([80]);
    expect(crossedThresholds(7_000, 7_999, 10_000)).toEqual([]);
    expect(crossedThresholds(8_000, 9_000, 10_000)).toEqual([]);
    expect(crossedThresholds(9_999, 10_000, 10_000)).toEqual([100]);
    expect(crossedThresholds(0, 12_000, 10_000)).toEqual([80, 100]);
    expect(crossedThresholds(0, 5, 0)).toEqual([]);
  });

  it('over any sequence of spending, announces each threshold at most once and exactly when passed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.array(fc.integer({ min: 0, max: 200_000 }), { maxLength: 50 }), (quota, costs) => {
        let used = 0;
        const announced: number[] = [];
        for (const cost of costs) {
          announced.push(...crossedThresholds(used, used + cost, quota));
          used += cost;
        }
        const expected = [80, 100].filter((percent) => used * 100 >= quota * percent);
        expect(announced).toEqual(expected);
      }),
    );
  });
});
