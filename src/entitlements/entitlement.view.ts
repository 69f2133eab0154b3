import { PLANS } from '../plans/plans.js';
import type { Entitlement } from './entitlement.entity.js';

/** An entitlement as a tenant sees it (GET /billing/entitlements, the stream's `entitlement.updated`). */
export function entitlementView(row: Entitlement) {
  const now = new Date();
  const plan = PLANS.find((p) => p.id === row.planId) ?? PLANS[0];
  const compActive = !!row.compPlanId && (!row.compExpiresAt || row.compExpiresAt > now);
  return {
    env: row.env,
    plan_id: plan.id,
    plan_name: plan.name,
    status: row.status,
    source: row.source,
    comped: row.comped,
    comp: compActive ? { plan_id: row.compPlanId, reason: row.compReason, expires_at: row.compExpiresAt } : null,
    features: plan.features,
    limits: { monthly_characters: plan.monthlyCharacters, requests_per_hour: plan.requestsPerHour },
    current_period: { start: row.currentPeriodStart, end: row.currentPeriodEnd },
    cancel_at_period_end: row.cancelAtPeriodEnd,
    payg_enabled: row.paygEnabled,
    updated_at: row.updatedAt,
  };
}
