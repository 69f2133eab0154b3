import type Stripe from 'stripe';
import type { SubscriptionFacts } from '../entitlements/entitlement-calculator.js';
import type { SubscriptionRecord } from './entities/subscription-record.entity.js';
import type { PlanId } from '../plans/plans.js';
import type { PlanPrices } from './stripe/plan-prices.js';

/** Subscription statuses that still hold a plan (and so block buying another). */
export const LIVE_STATUSES: ReadonlySet<string> = new Set([
  'active',
  'trialing',
  'past_due',
  'paused',
  'unpaid',
  'incomplete',
]);

/** Metadata this service puts on Stripe objects, so Stripe itself says whose they are. */
export const META = {
  tenant: 'tenant_id',
  env: 'env',
  downgradedFrom: 'downgraded_from',
  downgradeAt: 'downgrade_effective_at',
} as const;

const date = (unix: number | null | undefined) => (unix ? new Date(unix * 1000) : null);

/** Our mirror row for a Stripe subscription, as Stripe reports it now. */
export function subscriptionRecord(
  subscription: Stripe.Subscription,
  prices: PlanPrices,
  tenantId: string,
  env: string,
): Omit<SubscriptionRecord, 'syncedAt' | 'readTicket'> {
  const items = subscription.items.data;
  const overagePrice = prices.priceFor('overage');
  const licensed = items.find((item) => item.price.recurring?.usage_type !== 'metered') ?? null;
  const overage = items.find((item) => item.price.id === overagePrice) ?? null;
  const period = licensed ?? items[0];
  const metadata = subscription.metadata ?? {};
  return {
    stripeSubscriptionId: subscription.id,
    tenantId,
    env,
    stripeCustomerId: typeof subscription.customer === 'string' ? subscription.customer : subscription.customer.id,
    status: subscription.status,
    planId: licensed ? (prices.planForPrice(licensed.price.id) ?? null) : null,
    priceId: licensed?.price.id ?? null,
    overageItemId: overage?.id ?? null,
    currentPeriodStart: date(period?.current_period_start),
    currentPeriodEnd: date(period?.current_period_end),
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    downgradedFrom: metadata[META.downgradedFrom] || null,
    downgradeEffectiveAt: date(Number(metadata[META.downgradeAt]) || null),
    stripeCreated: subscription.created,
  };
}

/** A tenant with PAYG but no plan subscription is on free with overage; the plan is then free. */
export function factsOf(record: SubscriptionRecord | null): SubscriptionFacts | null {
  if (!record || !record.currentPeriodStart || !record.currentPeriodEnd) return null;
  return {
    status: record.status,
    planId: (record.planId as PlanId | null) ?? (record.overageItemId ? 'free' : null),
    periodStart: record.currentPeriodStart,
    periodEnd: record.currentPeriodEnd,
    cancelAtPeriodEnd: record.cancelAtPeriodEnd,
    downgradedFrom: record.downgradedFrom as PlanId | null,
    downgradeEffectiveAt: record.downgradeEffectiveAt,
    paygEnabled: !!record.overageItemId,
  };
}
