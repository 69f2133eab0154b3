import { computeEntitlement } from './entitlement-calculator.js';
import { Entitlement } from './entitlement.entity.js';

/** The entitlement of a tenant that has never had a row: the free plan on the calendar month. */
export function freeEntitlement(tenantId: string, env: string, now = new Date()): Entitlement {
  const computed = computeEntitlement({ now });
  return Object.assign(new Entitlement(), {
    tenantId,
    env,
    planId: computed.planId,
    status: computed.status,
    source: computed.source,
    currentPeriodStart: computed.periodStart,
    currentPeriodEnd: computed.periodEnd,
    cancelAtPeriodEnd: false,
    paygEnabled: false,
    comped: false,
    compPlanId: null,
    compReason: null,
    compExpiresAt: null,
    lastPaymentFailureAt: null,
    lastPaymentFailureInvoice: null,
    updatedAt: new Date(0),
  });
}
