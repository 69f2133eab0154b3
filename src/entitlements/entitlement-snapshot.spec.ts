import fc from 'fast-check';
import { PLANS } from '../plans/plans.js';
import { type EntitlementSnapshot, quotaPeriod } from './entitlement-snapshot.js';

const snapshot = (start: Date, end: Date, source: EntitlementSnapshot['source']): EntitlementSnapshot => ({
  tenantId: 't',
  env: 'test',
  plan: PLANS[1],
  features: new Set(),
  status: 'active',
  source,
  comped: false,
  compExpiresAt: null,
  paygEnabled: false,
  periodStart: start,
  periodEnd: end,
});

describe('quotaPeriod', () => {
  it('always contains now, whatever the stored period and however late the renewal', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2026-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 1_000 }),
        fc.constantFrom('subscription', 'free', 'comp'),
        (start, daysLater, source) => {
          const end = new Date(
            Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, start.getUTCDate(), start.getUTCHours()),
          );
          const now = new Date(start.getTime() + daysLater * 86_400_000);
          const period = quotaPeriod(snapshot(start, end, source), now);
          return period.start <= now && now < period.end;
        },
      ),
    );
  });

  it('rolls a subscription’s period forward by whole months from its anchor, so usage rows line up with renewals', () => {
    const start = new Date('2026-01-15T10:00:00Z');
    const period = quotaPeriod(
      snapshot(start, new Date('2026-02-15T10:00:00Z'), 'subscription'),
      new Date('2026-04-20T00:00:00Z'),
    );
    expect(period).toEqual({ start: new Date('2026-04-15T10:00:00Z'), end: new Date('2026-05-15T10:00:00Z') });
  });

  it('clamps a month-end anchor to shorter months instead of spilling into the next one', () => {
    const start = new Date('2026-01-31T00:00:00Z');
    const period = quotaPeriod(
      snapshot(start, new Date('2026-02-28T00:00:00Z'), 'subscription'),
      new Date('2026-03-01T00:00:00Z'),
    );
    expect(period).toEqual({ start: new Date('2026-02-28T00:00:00Z'), end: new Date('2026-03-31T00:00:00Z') });
  });

  it('starts a free tenant’s new period at the UTC month boundary', () => {
    const period = quotaPeriod(
      snapshot(new Date('2026-10-01T00:00:00Z'), new Date('2026-11-01T00:00:00Z'), 'free'),
      new Date('2026-11-01T00:00:00Z'),
    );
    expect(period).toEqual({ start: new Date('2026-11-01T00:00:00Z'), end: new Date('2026-12-01T00:00:00Z') });
  });
});
