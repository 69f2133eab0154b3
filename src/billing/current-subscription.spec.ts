import type { SubscriptionRecord } from './entities/subscription-record.entity.js';
import { currentOf, newestFirst } from './billing-records.repository.js';

const subscription = (id: string, stripeCreated: number, status: string) =>
  ({ stripeSubscriptionId: id, stripeCreated, status }) as SubscriptionRecord;

describe('the current subscription', () => {
  it('is the newest live one, else the newest', () => {
    const old = subscription('sub_old', 100, 'active');
    const newer = subscription('sub_new', 200, 'canceled');
    expect(currentOf([old, newer].sort(newestFirst))).toBe(old);
    expect(currentOf([subscription('sub_a', 100, 'canceled'), newer].sort(newestFirst))).toBe(newer);
    expect(currentOf([])).toBeNull();
  });

  it('does not depend on the order rows arrive in when Stripe’s created seconds tie', () => {
    const a = subscription('sub_A', 100, 'canceled');
    const b = subscription('sub_B', 100, 'canceled');
    expect(currentOf([a, b].sort(newestFirst))).toBe(currentOf([b, a].sort(newestFirst)));
    expect(currentOf([a, b].sort(newestFirst))).toBe(b);
  });
});
