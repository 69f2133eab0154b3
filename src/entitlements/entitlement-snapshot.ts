import { PLANS, type Plan, type PlanId } from '../plans/plans.js';
import { calendarMonth } from './entitlement-calculator.js';
import type { MeterLimits } from '../usage/quota-math.js';
import type { Entitlement } from './entitlement.entity.js';

/** What the request path needs to decide, from one cached read. */
export interface EntitlementSnapshot {
  tenantId: string;
  env: string;
  plan: Plan;
  features: ReadonlySet<string>;
  status: string;
  source: Entitlement['source'];
  comped: boolean;
  compExpiresAt: Date | null;
  paygEnabled: boolean;
  periodStart: Date;
  periodEnd: Date;
}

export const snapshotOf = (row: Entitlement): EntitlementSnapshot => {
  const plan = PLANS.find((p) => p.id === (row.planId as PlanId)) ?? PLANS[0];
  return {
    tenantId: row.tenantId,
    env: row.env,
    plan,
    features: new Set(plan.features),
    status: row.status,
    source: row.source,
    comped: row.comped,
    compExpiresAt: row.compExpiresAt,
    paygEnabled: row.paygEnabled,
    periodStart: row.currentPeriodStart,
    periodEnd: row.currentPeriodEnd,
  };
};

/** Statuses that may use the plan: Stripe is still retrying a past_due payment. */
const USABLE = new Set(['active', 'trialing', 'past_due']);

export const isUsable = (snapshot: EntitlementSnapshot) => USABLE.has(snapshot.status);

/** What the meter enforces for this entitlement: the plan's quota and hourly limit, and PAYG. */
export const meterLimits = (snapshot: EntitlementSnapshot): MeterLimits => ({
  quota: snapshot.plan.monthlyCharacters,
  ratePerHour: snapshot.plan.requestsPerHour,
  payg: snapshot.paygEnabled,
});

/**
 * The quota period containing `now`. Usually the stored one; past its end (a renewal webhook not yet
 * in, or a free tenant's month turning), the next month: the free plan's calendar month, or the
 * subscription's period rolled forward, which the renewal then confirms.
 */
export function quotaPeriod(snapshot: EntitlementSnapshot, now: Date): { start: Date; end: Date } {
  if (now < snapshot.periodEnd && now >= snapshot.periodStart)
    return { start: snapshot.periodStart, end: snapshot.periodEnd };
  if (snapshot.source !== 'subscription') return calendarMonth(now);
  // Whole months from the subscription's anchor day, clamped to shorter months as Stripe does.
  const anchor = snapshot.periodStart;
  const monthsFrom = (months: number) => {
    const year = anchor.getUTCFullYear();
    const month = anchor.getUTCMonth() + months;
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    return new Date(
      Date.UTC(
        year,
        month,
        Math.min(anchor.getUTCDate(), lastDay),
        anchor.getUTCHours(),
        anchor.getUTCMinutes(),
        anchor.getUTCSeconds(),
      ),
    );
  };
  let months = 1;
  while (monthsFrom(months) <= now) months++;
  return { start: monthsFrom(months - 1), end: monthsFrom(months) };
}
