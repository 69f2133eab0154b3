import type { StripeObject } from './store.js';

/** What `quantity` units of a price cost, in cents, honouring `transform_quantity` (e.g. per 1,000). */
export function amountFor(price: StripeObject, quantity: number): number {
  const transform = price.transform_quantity as { divide_by: number; round: 'up' | 'down' } | null;
  let units = quantity;
  if (transform)
    units =
      transform.round === 'up' ? Math.ceil(quantity / transform.divide_by) : Math.floor(quantity / transform.divide_by);
  const unitAmount = price.unit_amount ?? Number(price.unit_amount_decimal ?? 0);
  return Math.round(unitAmount * units);
}

export const isMetered = (price: StripeObject) => price.recurring?.usage_type === 'metered';

/** The share of a billing period left at `at`: Stripe prorates to the second. */
export function remainingFraction(periodStart: number, periodEnd: number, at: number): number {
  if (periodEnd <= periodStart) return 0;
  return Math.min(1, Math.max(0, (periodEnd - at) / (periodEnd - periodStart)));
}
