import type { NewBillingEvent } from '../common/events/billing-event.js';
import type { Entitlement } from '../entitlements/entitlement.entity.js';
import { entitlementView } from '../entitlements/entitlement.view.js';
import type { InvoiceRecord } from './entities/invoice-record.entity.js';
import type { SubscriptionRecord } from './entities/subscription-record.entity.js';

/*
 * What the tenant's billing event stream says about a change to our mirror of Stripe: null when
 * nothing a front end shows has changed (Stripe sends many events that change nothing of ours).
 */

type Mirrored<T> = Omit<T, 'syncedAt'>;

/** Whether a front end would see a difference: the two payloads compared as sent. */
const sameData = (a: Record<string, unknown>, b: Record<string, unknown>) => JSON.stringify(a) === JSON.stringify(b);

function subscriptionData(record: Mirrored<SubscriptionRecord>): Record<string, unknown> {
  return {
    subscription_id: record.stripeSubscriptionId,
    plan_id: record.planId,
    status: record.status,
    cancel_at_period_end: record.cancelAtPeriodEnd,
    current_period_start: record.currentPeriodStart,
    current_period_end: record.currentPeriodEnd,
    payg_enabled: !!record.overageItemId,
    pending_downgrade: record.downgradedFrom
      ? { paid_plan_id: record.downgradedFrom, effective_at: record.downgradeEffectiveAt }
      : null,
  };
}

export function subscriptionEvent(
  previous: SubscriptionRecord | null,
  next: Mirrored<SubscriptionRecord>,
): NewBillingEvent | null {
  const data = subscriptionData(next);
  if (previous && sameData(subscriptionData(previous), data)) return null;
  let type: NewBillingEvent['type'] = 'subscription.updated';
  if (!previous) type = 'subscription.created';
  else if (next.status === 'canceled' && previous.status !== 'canceled') type = 'subscription.canceled';
  return { tenantId: next.tenantId, env: next.env, type, data };
}

export function invoiceEvent(
  previous: InvoiceRecord | null,
  next: Mirrored<InvoiceRecord>,
  paymentFailedNow: boolean,
): NewBillingEvent | null {
  if (
    !paymentFailedNow &&
    previous?.status === next.status &&
    previous.amountDue === next.amountDue &&
    previous.amountPaid === next.amountPaid
  )
    return null;
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

/** The entitlement as GET /billing/entitlements shows it, without its timestamp. */
function entitlementData(row: Entitlement): Record<string, unknown> {
  const { updated_at: _updatedAt, ...view } = entitlementView(row);
  return view;
}

export function entitlementEvent(previous: Entitlement | null, next: Entitlement): NewBillingEvent | null {
  const data = entitlementData(next);
  if (previous && sameData(entitlementData(previous), data)) return null;
  return { tenantId: next.tenantId, env: next.env, type: 'entitlement.updated', data };
}
