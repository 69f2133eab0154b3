import type { Clock } from './clock.js';
import type { EventBus } from './event-bus.js';
import { newId } from './ids.js';
import { withShape } from './shapes.js';
import type { CardBehaviour, EmulatorStore, StripeObject } from './store.js';

export interface LineInput {
  amount: number;
  description: string;
  price: StripeObject;
  quantity: number | null;
  period: { start: number; end: number };
  subscriptionItem: string | null;
  proration: boolean;
}

export type PaymentOutcome = 'success' | 'failure';

/** Builds invoices from lines, applies customer credit, and charges the saved card. */
export class Invoices {
  constructor(
    private readonly store: EmulatorStore,
    private readonly clock: Clock,
    private readonly events: EventBus,
  ) {}

  line(invoiceId: string | null, subscription: StripeObject, input: LineInput): StripeObject {
    return withShape('line_item', {
      id: newId('il'),
      object: 'line_item',
      amount: input.amount,
      subtotal: input.amount,
      currency: 'usd',
      description: input.description,
      invoice: invoiceId,
      livemode: false,
      metadata: {},
      period: input.period,
      quantity: input.quantity,
      discount_amounts: [],
      discountable: true,
      discounts: [],
      parent: {
        type: 'subscription_item_details',
        invoice_item_details: null,
        subscription_item_details: {
          invoice_item: null,
          proration: input.proration,
          proration_details: { credited_items: null },
          subscription: subscription.id,
          subscription_item: input.subscriptionItem,
        },
      },
      pricing: {
        type: 'price_details',
        price_details: { price: input.price.id, product: input.price.product },
        unit_amount_decimal: String(input.price.unit_amount ?? input.price.unit_amount_decimal),
      },
    });
  }

  /** An invoice object; `persist` false gives a preview that is never stored. */
  build(subscription: StripeObject, lines: LineInput[], billingReason: string, persist = true): StripeObject {
    const id = persist ? newId('in') : `upcoming_${newId('in')}`;
    const customer = this.store.get('customers', subscription.customer, 'customer');
    const lineObjects = lines.map((line) => this.line(persist ? id : null, subscription, line));
    const total = lineObjects.reduce((sum, line) => sum + line.amount, 0);
    const credit = Math.min(Math.max(total, 0), Math.max(-customer.balance, 0));
    const periods = lines.map((line) => line.period);
    const now = this.clock.now();
    return withShape('invoice', {
      id,
      object: 'invoice',
      customer: customer.id,
      customer_email: customer.email,
      customer_name: customer.name,
      currency: 'usd',
      billing_reason: billingReason,
      collection_method: 'charge_automatically',
      created: now,
      livemode: false,
      metadata: {},
      status: 'draft',
      subtotal: total,
      subtotal_excluding_tax: total,
      total,
      total_excluding_tax: total,
      starting_balance: customer.balance,
      ending_balance: null,
      amount_due: Math.max(total - credit, 0),
      amount_paid: 0,
      amount_remaining: Math.max(total - credit, 0),
      attempt_count: 0,
      attempted: false,
      auto_advance: true,
      period_start: periods.length ? Math.min(...periods.map((p) => p.start)) : now,
      period_end: periods.length ? Math.max(...periods.map((p) => p.end)) : now,
      lines: {
        object: 'list',
        data: lineObjects,
        has_more: false,
        total_count: lineObjects.length,
        url: `/v1/invoices/${id}/lines`,
      },
      parent: {
        type: 'subscription_details',
        quote_details: null,
        subscription_details: { metadata: subscription.metadata, subscription: subscription.id },
      },
      status_transitions: { finalized_at: null, marked_uncollectible_at: null, paid_at: null, voided_at: null },
      hosted_invoice_url: persist ? `https://invoice.stripe.emulator/${id}` : null,
      total_discount_amounts: [],
      total_taxes: [],
    });
  }

  /** Finalizes and charges the invoice, emitting what Stripe emits; returns whether it was paid. */
  finalizeAndPay(invoice: StripeObject, outcome: PaymentOutcome): boolean {
    const customer = this.store.get('customers', invoice.customer, 'customer');
    const now = this.clock.now();
    this.store.put('invoices', invoice);
    this.events.emit('invoice.created', invoice);
    invoice.status = 'open';
    invoice.number = `EMU-${Object.keys(this.store.collection('invoices')).length.toString().padStart(4, '0')}`;
    invoice.status_transitions.finalized_at = now;
    invoice.effective_at = now;
    this.events.emit('invoice.finalized', invoice);

    const credit = Math.max(invoice.total, 0) - invoice.amount_due;
    customer.balance += invoice.total < 0 ? invoice.total : credit;
    invoice.ending_balance = customer.balance;
    if (invoice.amount_due === 0 || outcome === 'success') {
      invoice.status = 'paid';
      invoice.amount_paid = invoice.amount_due;
      invoice.amount_remaining = 0;
      invoice.attempted = invoice.amount_due > 0;
      invoice.attempt_count = invoice.amount_due > 0 ? 1 : 0;
      invoice.status_transitions.paid_at = now;
      this.events.emit('invoice.paid', invoice);
      this.events.emit('invoice.payment_succeeded', invoice);
      this.store.changed();
      return true;
    }
    invoice.attempted = true;
    invoice.attempt_count = 1;
    invoice.next_payment_attempt = now + 3 * 86_400;
    this.events.emit('invoice.payment_failed', invoice);
    this.store.changed();
    return false;
  }

  /** How a charge on this customer's saved card turns out, unless a control endpoint forces it. */
  outcomeFor(customerId: string, forced?: PaymentOutcome): PaymentOutcome {
    if (forced) return forced;
    const behaviour: CardBehaviour | undefined = this.store.data.customer_cards[customerId];
    return behaviour === 'fails_later' ? 'failure' : 'success';
  }
}
