import { PLANS, type PlanId } from '../plans/plans.js';
import type { EntitlementSource } from './entitlement.entity.js';

/** What Stripe says about a tenant's subscription, as far as entitlements care. */
export interface SubscriptionFacts {
  status: string;
  planId: PlanId | null;
  periodStart: Date;
  periodEnd: Date;
  cancelAtPeriodEnd: boolean;
  /** A downgrade keeps the plan paid for until Stripe renews into the period it takes effect in. */
  downgradedFrom: PlanId | null;
  downgradeEffectiveAt: Date | null;
  paygEnabled: boolean;
}

export interface CompFacts {
  planId: PlanId;
  expiresAt: Date | null;
}

export interface ComputedEntitlement {
  planId: PlanId;
  status: string;
  source: EntitlementSource;
  periodStart: Date;
  periodEnd: Date;
  cancelAtPeriodEnd: boolean;
  paygEnabled: boolean;
}

/** Stripe keeps retrying a past_due subscription, so its plan stays; these statuses keep the plan too. */
const ENTITLING_STATUSES = new Set(['active', 'trialing', 'past_due', 'paused']);

const rank = (plan: PlanId) => PLANS.findIndex((p) => p.id === plan);

export function calendarMonth(now: Date): { start: Date; end: Date } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { start, end };
}

/**
 * The one rule for what a tenant may use: an active comp wins; otherwise a live subscription's plan
 * (the higher plan until a downgrade takes effect); otherwise the free plan on the UTC calendar month.
 */
export function computeEntitlement(input: {
  subscription?: SubscriptionFacts | null;
  comp?: CompFacts | null;
  now: Date;
}): ComputedEntitlement {
  const { subscription, comp, now } = input;
  const live = subscription && ENTITLING_STATUSES.has(subscription.status) && subscription.planId ? subscription : null;
  const month = calendarMonth(now);
  const paygEnabled = !!live?.paygEnabled;
  if (comp && (!comp.expiresAt || comp.expiresAt > now)) {
    const period = live ? { start: live.periodStart, end: live.periodEnd } : month;
    return {
      planId: comp.planId,
      status: 'active',
      source: 'comp',
      periodStart: period.start,
      periodEnd: period.end,
      cancelAtPeriodEnd: false,
      paygEnabled,
    };
  }
  if (live) {
    // Judged by Stripe's own period, not our clock, so it agrees with Stripe (and its test clocks).
    const stillPaidFor =
      live.downgradedFrom && live.downgradeEffectiveAt && live.periodStart < live.downgradeEffectiveAt;
    const planId =
      stillPaidFor && rank(live.downgradedFrom!) > rank(live.planId!) ? live.downgradedFrom! : live.planId!;
    return {
      planId,
      status: live.status,
      source: 'subscription',
      periodStart: live.periodStart,
      periodEnd: live.periodEnd,
      cancelAtPeriodEnd: live.cancelAtPeriodEnd,
      paygEnabled,
    };
  }
  return {
    planId: 'free',
    status: 'active',
    source: 'free',
    periodStart: month.start,
    periodEnd: month.end,
    cancelAtPeriodEnd: false,
    paygEnabled: false,
  };
}
