import type { Entitlement } from '../entitlements/entitlement.entity.js';
import { freeEntitlement } from '../entitlements/free-entitlement.js';
import type { InvoiceRecord } from './entities/invoice-record.entity.js';
import type { SubscriptionRecord } from './entities/subscription-record.entity.js';
import { entitlementEvent, invoiceEvent, subscriptionEvent } from './billing-stream-events.js';

const subscription = (changes: Partial<SubscriptionRecord> = {}): SubscriptionRecord => ({
  stripeSubscriptionId: 'sub_1',
  tenantId: 't1',
  env: 'test',
  stripeCustomerId: 'cus_1',
  status: 'active',
  planId: 'starter',
  priceId: 'price_1',
  overageItemId: null,
  currentPeriodStart: new Date('2026-11-01T00:00:00Z'),
  currentPeriodEnd: new Date('2026-12-01T00:00:00Z'),
  cancelAtPeriodEnd: false,
  downgradedFrom: null,
  downgradeEffectiveAt: null,
  stripeCreated: 1,
  syncedAt: new Date(),
  readTicket: 1,
  ...changes,
});

const invoice = (changes: Partial<InvoiceRecord> = {}): InvoiceRecord => ({
  stripeInvoiceId: 'in_1',
  tenantId: 't1',
  env: 'test',
  stripeSubscriptionId: 'sub_1',
  status: 'open',
  billingReason: 'subscription_cycle',
  currency: 'usd',
  amountDue: 999,
  amountPaid: 0,
  periodStart: null,
  periodEnd: null,
  hostedInvoiceUrl: null,
  paymentFailedAt: null,
  stripeCreated: 1,
  syncedAt: new Date(),
  readTicket: 1,
  ...changes,
});

const entitlement = (changes: Partial<Entitlement> = {}): Entitlement =>
  Object.assign(freeEntitlement('t1', 'test', new Date('2026-11-15T00:00:00Z')), {
    planId: 'starter',
    source: 'subscription',
    ...changes,
  });

describe('billing stream events', () => {
  it('says nothing when Stripe repeats what we already hold', () => {
    expect(subscriptionEvent(subscription(), subscription({ syncedAt: new Date(0), stripeCreated: 2 }))).toBeNull();
    expect(invoiceEvent(invoice(), invoice({ hostedInvoiceUrl: 'https://x' }), false)).toBeNull();
    expect(entitlementEvent(entitlement(), entitlement({ updatedAt: new Date(0) }))).toBeNull();
  });

  it('names subscription changes by what happened', () => {
    expect(subscriptionEvent(null, subscription())?.type).toBe('subscription.created');
    expect(subscriptionEvent(subscription(), subscription({ cancelAtPeriodEnd: true }))).toMatchObject({
      type: 'subscription.updated',
      data: { cancel_at_period_end: true },
    });
    expect(subscriptionEvent(subscription(), subscription({ status: 'canceled' }))?.type).toBe('subscription.canceled');
    expect(
      subscriptionEvent(subscription(), subscription({ currentPeriodEnd: new Date('2027-01-01T00:00:00Z') }))?.type,
    ).toBe('subscription.updated');
    expect(
      subscriptionEvent(
        subscription(),
        subscription({
          planId: 'starter',
          downgradedFrom: 'pro',
          downgradeEffectiveAt: new Date('2026-12-01T00:00:00Z'),
        }),
      )?.data,
    ).toMatchObject({
      pending_downgrade: { paid_plan_id: 'pro' },
    });
  });

  it('names invoice changes by what happened', () => {
    expect(invoiceEvent(null, invoice(), false)?.type).toBe('invoice.created');
    expect(invoiceEvent(invoice(), invoice({ status: 'paid', amountPaid: 999 }), false)).toMatchObject({
      type: 'invoice.paid',
      data: { amount_paid: 999, currency: 'usd' },
    });
    expect(invoiceEvent(invoice(), invoice(), true)?.type).toBe('invoice.payment_failed');
    expect(invoiceEvent(invoice(), invoice({ status: 'void' }), false)?.type).toBe('invoice.updated');
  });

  it('sends the entitlement as GET /billing/entitlements shows it', () => {
    const event = entitlementEvent(entitlement(), entitlement({ planId: 'pro' }));
    expect(event).toMatchObject({
      type: 'entitlement.updated',
      tenantId: 't1',
      env: 'test',
      data: { plan_id: 'pro', limits: { monthly_characters: 1_000_000 } },
    });
    expect(event?.data).not.toHaveProperty('updated_at');
    expect(entitlementEvent(null, entitlement())?.type).toBe('entitlement.updated');
    expect(
      entitlementEvent(entitlement(), entitlement({ currentPeriodStart: new Date('2026-12-01T00:00:00Z') })),
    ).not.toBeNull();
  });
});
