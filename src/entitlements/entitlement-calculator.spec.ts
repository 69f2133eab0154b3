import { calendarMonth, computeEntitlement, type SubscriptionFacts } from './entitlement-calculator.js';

const now = new Date('2026-11-21T12:00:00Z');
const subscription = (overrides: Partial<SubscriptionFacts> = {}): SubscriptionFacts => ({
  status: 'active',
  planId: 'pro',
  periodStart: new Date('2026-11-10T00:00:00Z'),
  periodEnd: new Date('2026-12-10T00:00:00Z'),
  cancelAtPeriodEnd: false,
  downgradedFrom: null,
  downgradeEffectiveAt: null,
  paygEnabled: false,
  ...overrides,
});

describe('computeEntitlement', () => {
  it('gives the free plan on the UTC calendar month to a tenant with nothing', () => {
    expect(computeEntitlement({ now })).toMatchObject({
      planId: 'free',
      source: 'free',
      periodStart: new Date('2026-11-01T00:00:00Z'),
      periodEnd: new Date('2026-12-01T00:00:00Z'),
    });
  });

  it('follows a live subscription and its period', () => {
    expect(computeEntitlement({ subscription: subscription(), now })).toMatchObject({
      planId: 'pro',
      source: 'subscription',
      periodStart: new Date('2026-11-10T00:00:00Z'),
    });
  });

  it('keeps the plan while Stripe retries a past_due payment', () => {
    expect(computeEntitlement({ subscription: subscription({ status: 'past_due' }), now })).toMatchObject({
      planId: 'pro',
      status: 'past_due',
    });
  });

  it.each(['canceled', 'unpaid', 'incomplete_expired', 'incomplete'])(
    'falls back to free when the subscription is %s',
    (status) => {
      expect(computeEntitlement({ subscription: subscription({ status }), now }).planId).toBe('free');
    },
  );

  it('keeps the higher plan until Stripe renews into the period a downgrade takes effect in', () => {
    const downgrade = {
      planId: 'starter' as const,
      downgradedFrom: 'pro' as const,
      downgradeEffectiveAt: new Date('2026-12-10T00:00:00Z'),
    };
    expect(computeEntitlement({ subscription: subscription(downgrade), now }).planId).toBe('pro');
    const renewed = subscription({
      ...downgrade,
      periodStart: new Date('2026-12-10T00:00:00Z'),
      periodEnd: new Date('2027-01-10T00:00:00Z'),
    });
    expect(computeEntitlement({ subscription: renewed, now }).planId).toBe('starter');
  });

  it('lets an active comp win over the subscription, and an expired one not', () => {
    const comp = { planId: 'enterprise' as const, expiresAt: new Date('2026-12-01T00:00:00Z') };
    expect(computeEntitlement({ subscription: subscription(), comp, now })).toMatchObject({
      planId: 'enterprise',
      source: 'comp',
    });
    expect(
      computeEntitlement({
        subscription: subscription(),
        comp: { ...comp, expiresAt: new Date('2026-11-01T00:00:00Z') },
        now,
      }).planId,
    ).toBe('pro');
  });

  it('computes calendar months across a year end', () => {
    expect(calendarMonth(new Date('2026-12-31T23:59:59Z'))).toEqual({
      start: new Date('2026-12-01T00:00:00Z'),
      end: new Date('2027-01-01T00:00:00Z'),
    });
  });
});
