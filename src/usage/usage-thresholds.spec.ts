import fc from 'fast-check';
import type { BillingEventPublisher } from '../common/events/billing-event.js';
import { reachedThresholds, UsageThresholds } from './usage-thresholds.js';

describe('reachedThresholds', () => {
  it('names the thresholds usage stands at', () => {
    expect(reachedThresholds(7_999, 10_000)).toEqual([]);
    expect(reachedThresholds(8_000, 10_000)).toEqual([80]);
    expect(reachedThresholds(9_999, 10_000)).toEqual([80]);
    expect(reachedThresholds(10_000, 10_000)).toEqual([80, 100]);
    expect(reachedThresholds(12_000, 10_000)).toEqual([80, 100]);
    expect(reachedThresholds(5, 0)).toEqual([]);
  });

  it('counts a refusal for the quota as 100% once usage is past 80%, not a request merely too big for the plan', () => {
    expect(reachedThresholds(9_990, 10_000, true)).toEqual([80, 100]);
    expect(reachedThresholds(8_000, 10_000, true)).toEqual([80, 100]);
    expect(reachedThresholds(100, 10_000, true)).toEqual([]);
  });

  it('only ever adds thresholds as usage grows, and never 100% without 80%', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 0, max: 20_000_000 }),
        fc.integer({ min: 0, max: 20_000_000 }),
        fc.boolean(),
        (quota, a, b, refused) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          const before = reachedThresholds(low, quota);
          const after = reachedThresholds(high, quota, refused);
          expect(before.every((percent) => after.includes(percent))).toBe(true);
          if (after.includes(100)) expect(after).toContain(80);
        },
      ),
    );
  });
});

describe('UsageThresholds', () => {
  const charge = {
    tenantId: 't1',
    env: 'test',
    meter: 'characters',
    periodStart: new Date('2026-11-01T00:00:00Z'),
    limits: { quota: 100, ratePerHour: null, payg: false },
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

  it('publishes once, tries again after a failure (not at once), and remembers success', async () => {
    const published: string[] = [];
    let failNext = true;
    const events = {
      publish: async (event: { dedupeKey: string }) => {
        if (failNext) {
          failNext = false;
          throw new Error('database unavailable');
        }
        published.push(event.dedupeKey);
      },
    } as unknown as BillingEventPublisher;
    const thresholds = new UsageThresholds(events);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      thresholds.observe(charge, 85);
      await settle();
      thresholds.observe(charge, 86);
      await settle();
      expect(published).toEqual([]);
      vi.setSystemTime(Date.now() + 1_000);
      thresholds.observe(charge, 87);
      await settle();
      thresholds.observe(charge, 88);
      await settle();
      expect(published).toEqual(['usage:t1:test:characters:2026-11-01T00:00:00.000Z:100:80']);
    } finally {
      vi.useRealTimers();
    }
  });
});
