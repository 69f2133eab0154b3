import { PLANS, type Plan, type PlanId } from '../billing/plans.js';
import { calendarMonth } from './entitlement-calculator.js';
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

/**
 * The quota period containing `now`. Usually the stored one; past its end (a renewal webhook not yet
 * in, or a free tenant's month turning), the next month: the free plan's calendar month, or the
 * subscription's period rolled forward, which the renewal then confirms.
 */
export function quotaPeriod(snapshot: EntitlementSnapshot, now: Date): { start: Date; end: Date } {
  if (now < snapshot.periodEnd && now >= snapshot.periodStart) return { start: snapshot.periodStart, end: snapshot.periodEnd };
  if (snapshot.source !== 'subscription') return calendarMonth(now);
  let start = snapshot.periodStart;
  let end = snapshot.periodEnd;
  while (now >= end) {
    start = end;
    end = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() + 1, end.getUTCDate(), end.getUTCHours(), end.getUTCMinutes(), end.getUTCSeconds()));
  }
  return { start, end };
}
