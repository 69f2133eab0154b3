import type { NewBillingEvent } from '../audit/stream/billing-event.payload.js';
import type { Entitlement } from '../entitlements/entitlement.entity.js';
import { entitlementView } from '../entitlements/entitlement.view.js';
import type { InvoiceRecord } from './entities/invoice-record.entity.js';
import type { SubscriptionRecord } from './entities/subscription-record.entity.js';

/**
 * What the tenant's billing event stream says about a change to our mirror of Stripe: null when
 * nothing a front end shows has changed (Stripe sends many events that change nothing of ours).
 */
type Mirrored<T> = Omit<T, 'syncedAt'>;

const time = (d: Date | null | undefined) => d?.getTime() ?? null;

export function subscriptionEvent(previous: SubscriptionRecord | null, next: Mirrored<SubscriptionRecord>): NewBillingEvent | null {
  const same =
    previous &&
    previous.status === next.status &&
    previous.planId === next.planId &&
    previous.cancelAtPeriodEnd === next.cancelAtPeriodEnd &&
    !!previous.overageItemId === !!next.overageItemId &&
    previous.downgradedFrom === next.downgradedFrom &&
    time(previous.downgradeEffectiveAt) === time(next.downgradeEffectiveAt) &&
    time(previous.currentPeriodStart) === time(next.currentPeriodStart) &&
    time(previous.currentPeriodEnd) === time(next.currentPeriodEnd);
  if (same) return null;
  let type: NewBillingEvent['type'] = 'subscription.updated';
  if (!previous) type = 'subscription.created';
  else if (next.status === 'canceled' && previous.status !== 'canceled') type = 'subscription.canceled';
  return {
    tenantId: next.tenantId,
    env: next.env,
    type,
    data: {
      subscription_id: next.stripeSubscriptionId,
      plan_id: next.planId,
      status: next.status,
      cancel_at_period_end: next.cancelAtPeriodEnd,
      current_period_start: next.currentPeriodStart,
      current_period_end: next.currentPeriodEnd,
      payg_enabled: !!next.overageItemId,
      pending_downgrade: next.downgradedFrom ? { paid_plan_id: next.downgradedFrom, effective_at: next.downgradeEffectiveAt } : null,
    },
  };
}

export function invoiceEvent(previous: InvoiceRecord | null, next: Mirrored<InvoiceRecord>, paymentFailedNow: boolean): NewBillingEvent | null {
  if (!paymentFailedNow && previous?.status === next.status && previous.amountDue === next.amountDue && previous.amountPaid === next.amountPaid) return null;
  let type: NewBillingEvent['type'] = previous ? 'invoice.updated' : 'invoice.created';
  if (paymentFailedNow) type = 'invoice.payment_failed';
  else if (next.status === 'paid' && previous?.status !== 'paid') type = 'invoice.paid';
  return {
    tenantId: next.tenantId,
    env: next.env,
    type,
    data: {
      invoice_id: next.stripeInvoiceId,
      subscription_id: next.stripeSubscriptionId,
      status: next.status,
      billing_reason: next.billingReason,
      currency: next.currency,
      amount_due: next.amountDue,
      amount_paid: next.amountPaid,
      period_start: next.periodStart,
      period_end: next.periodEnd,
      hosted_invoice_url: next.hostedInvoiceUrl,
    },
  };
}

export function entitlementEvent(previous: Entitlement | null, next: Entitlement): NewBillingEvent | null {
  const same =
    previous &&
    previous.planId === next.planId &&
    previous.status === next.status &&
    previous.source === next.source &&
    previous.paygEnabled === next.paygEnabled &&
    previous.cancelAtPeriodEnd === next.cancelAtPeriodEnd &&
    previous.compPlanId === next.compPlanId &&
    previous.compReason === next.compReason &&
    time(previous.compExpiresAt) === time(next.compExpiresAt) &&
    time(previous.currentPeriodStart) === time(next.currentPeriodStart) &&
    time(previous.currentPeriodEnd) === time(next.currentPeriodEnd);
  if (same) return null;
  const { updated_at: _updatedAt, ...view } = entitlementView(next);
  return { tenantId: next.tenantId, env: next.env, type: 'entitlement.updated', data: view };
}
