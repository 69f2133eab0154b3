import { addMonth, type Clock } from './clock.js';
import type { EventBus } from './event-bus.js';
import { newId } from './ids.js';
import type { Invoices, LineInput, PaymentOutcome } from './invoices.js';
import { amountFor, isMetered } from './pricing.js';
import { withShape } from './shapes.js';
import type { EmulatorStore, StripeObject } from './store.js';
import { cardDeclined, invalidRequest } from './stripe-error.js';
import {
  type ItemParam,
  newItem,
  periodLines,
  periodOf,
  planItemChanges,
  prorationLines,
} from './subscription-changes.js';

export interface UpdateParams {
  items?: ItemParam[];
  proration_behavior?: 'create_prorations' | 'always_invoice' | 'none';
  proration_date?: string;
  payment_behavior?: string;
  cancel_at_period_end?: string;
  metadata?: Record<string, string>;
}

const LIVE_STATUSES = new Set(['active', 'trialing', 'past_due', 'unpaid']);

/** Top-level fields whose value changed, with their old value: Stripe's `previous_attributes`. */
function previousAttributes(before: StripeObject, after: StripeObject): StripeObject {
  return Object.fromEntries(
    Object.keys(after)
      .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      .map((key) => [key, before[key]]),
  );
}

function mergeMetadata(current: Record<string, string>, update?: Record<string, string>) {
  if (!update) return current;
  const merged = { ...current, ...update };
  for (const [key, value] of Object.entries(update)) if (value === '') delete merged[key];
  return merged;
}

/** The subscription lifecycle: creation from Checkout, item changes with prorations, renewals, cancellation. */
export class Subscriptions {
  constructor(
    private readonly store: EmulatorStore,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly invoices: Invoices,
  ) {}

  create(
    customerId: string,
    lineItems: Array<{ price: StripeObject; quantity: number }>,
    metadata: Record<string, string>,
  ): StripeObject {
    const now = this.clock.now();
    const period = { start: now, end: addMonth(now) };
    const id = newId('sub');
    const items = lineItems.map(({ price, quantity }) => newItem(id, price, quantity, period, now));
    const subscription = withShape('subscription', {
      id,
      object: 'subscription',
      customer: customerId,
      // As in Stripe: incomplete until the first invoice is paid, then updated to active.
      status: 'incomplete',
      items: {
        object: 'list',
        data: items,
        has_more: false,
        total_count: items.length,
        url: `/v1/subscription_items?subscription=${id}`,
      },
      metadata,
      created: now,
      start_date: now,
      billing_cycle_anchor: now,
      cancel_at_period_end: false,
      cancel_at: null,
      canceled_at: null,
      ended_at: null,
      currency: 'usd',
      collection_method: 'charge_automatically',
      livemode: false,
      latest_invoice: null,
      automatic_tax: { enabled: false, disabled_reason: null, liability: null },
      billing_mode: { type: 'flexible', flexible: null, updated_at: now },
    });
    const invoice = this.invoices.build(
      subscription,
      periodLines(this.store, subscription, items, period),
      'subscription_create',
    );
    subscription.latest_invoice = invoice.id;
    this.store.put('subscriptions', subscription);
    this.events.emit('customer.subscription.created', subscription);
    this.invoices.finalizeAndPay(invoice, 'success');
    this.setStatus(subscription, 'active');
    return subscription;
  }

  /** Previews the invoice a change would produce: with always_invoice, the one charged now. */
  preview(subscription: StripeObject, params: UpdateParams): StripeObject {
    const at = this.prorationDate(subscription, params.proration_date);
    const { items, changes } = planItemChanges(this.store, subscription, params.items, at);
    const behaviour = params.proration_behavior ?? 'create_prorations';
    const prorations = behaviour === 'none' ? [] : prorationLines(this.store, subscription, changes, at);
    const period = periodOf(subscription);
    const next = { start: period.end, end: addMonth(period.end) };
    const upcoming = [
      ...this.pendingLines(subscription),
      ...this.usageLines(subscription, period),
      ...prorations,
      ...periodLines(this.store, subscription, items, next),
    ];
    const lines = behaviour === 'always_invoice' ? prorations : upcoming;
    const preview = this.invoices.build(
      subscription,
      lines,
      behaviour === 'always_invoice' ? 'subscription_update' : 'upcoming',
      false,
    );
    preview.parent.subscription_details.subscription_proration_date = at;
    return preview;
  }

  update(subscription: StripeObject, params: UpdateParams): StripeObject {
    const before = structuredClone(subscription);
    const at = this.prorationDate(subscription, params.proration_date);
    if (params.items?.length) this.changeItems(subscription, params, at);
    if (params.cancel_at_period_end !== undefined) {
      const cancel = params.cancel_at_period_end === 'true';
      subscription.cancel_at_period_end = cancel;
      subscription.cancel_at = cancel ? periodOf(subscription).end : null;
      subscription.canceled_at = cancel ? this.clock.now() : null;
    }
    subscription.metadata = mergeMetadata(subscription.metadata, params.metadata);
    this.store.changed();
    this.events.emit('customer.subscription.updated', subscription, previousAttributes(before, subscription));
    return subscription;
  }

  /** `invoice_now` bills what the period has used so far (metered usage, pending prorations) at once. */
  cancelNow(subscription: StripeObject, params: { invoice_now?: string } = {}): StripeObject {
    if (subscription.status === 'canceled')
      throw invalidRequest(
        `This subscription is already canceled: '${subscription.id}'`,
        undefined,
        'resource_missing',
      );
    const now = this.clock.now();
    if (params.invoice_now === 'true') {
      const period = periodOf(subscription);
      const lines = [
        ...this.usageLines(subscription, { start: period.start, end: now + 1 }),
        ...this.pendingLines(subscription),
      ].filter((line) => line.amount !== 0);
      delete this.store.data.pending_lines[subscription.id];
      if (lines.length > 0) {
        const invoice = this.invoices.build(subscription, lines, 'subscription_cycle');
        subscription.latest_invoice = invoice.id;
        this.invoices.finalizeAndPay(invoice, this.invoices.outcomeFor(subscription.customer));
      }
    }
    Object.assign(subscription, {
      status: 'canceled',
      canceled_at: subscription.canceled_at ?? now,
      ended_at: now,
      cancel_at_period_end: false,
    });
    this.store.changed();
    this.events.emit('customer.subscription.deleted', subscription);
    return subscription;
  }

  resume(subscription: StripeObject): StripeObject {
    if (subscription.status !== 'paused')
      throw invalidRequest('Only a paused subscription can be resumed.', undefined, 'subscription_not_paused');
    const before = structuredClone(subscription);
    subscription.status = 'active';
    subscription.pause_collection = null;
    this.store.changed();
    this.events.emit('customer.subscription.resumed', subscription);
    this.events.emit('customer.subscription.updated', subscription, previousAttributes(before, subscription));
    return subscription;
  }

  /** Moves the clock to this subscription's period end and renews everything that is due. */
  advance(subscription: StripeObject, outcome?: PaymentOutcome): void {
    this.clock.advanceTo(periodOf(subscription).end);
    this.renewDue(outcome ? { [subscription.id]: outcome } : {});
  }

  renewDue(forced: Record<string, PaymentOutcome> = {}): void {
    let due = this.dueSubscriptions();
    while (due.length > 0) {
      for (const subscription of due) this.renew(subscription, forced[subscription.id]);
      due = this.dueSubscriptions();
    }
  }

  private dueSubscriptions(): StripeObject[] {
    const now = this.clock.now();
    return Object.values(this.store.collection('subscriptions')).filter(
      (s) => LIVE_STATUSES.has(s.status) && periodOf(s).end <= now,
    );
  }

  private renew(subscription: StripeObject, forced?: PaymentOutcome): void {
    const period = periodOf(subscription);
    if (subscription.cancel_at_period_end) {
      // The last period's metered usage and any pending prorations are still invoiced.
      const finalLines = [...this.usageLines(subscription, period), ...this.pendingLines(subscription)].filter(
        (line) => line.amount !== 0,
      );
      delete this.store.data.pending_lines[subscription.id];
      if (finalLines.length > 0) {
        const invoice = this.invoices.build(subscription, finalLines, 'subscription_cycle');
        subscription.latest_invoice = invoice.id;
        this.invoices.finalizeAndPay(invoice, this.invoices.outcomeFor(subscription.customer, forced));
      }
      Object.assign(subscription, { status: 'canceled', ended_at: period.end, cancel_at_period_end: false });
      this.store.changed();
      this.events.emit('customer.subscription.deleted', subscription);
      return;
    }
    const before = structuredClone(subscription);
    const next = { start: period.end, end: addMonth(period.end) };
    const lines = [
      ...periodLines(this.store, subscription, subscription.items.data, next),
      ...this.usageLines(subscription, period),
      ...this.pendingLines(subscription),
    ];
    delete this.store.data.pending_lines[subscription.id];
    for (const item of subscription.items.data)
      Object.assign(item, { current_period_start: next.start, current_period_end: next.end });
    const invoice = this.invoices.build(subscription, lines, 'subscription_cycle');
    subscription.latest_invoice = invoice.id;
    this.events.emit('customer.subscription.updated', subscription, previousAttributes(before, subscription));
    const paid = this.invoices.finalizeAndPay(invoice, this.invoices.outcomeFor(subscription.customer, forced));
    const status = paid ? 'active' : subscription.status === 'active' ? 'past_due' : 'unpaid';
    this.setStatus(subscription, status);
  }

  private setStatus(subscription: StripeObject, status: string): void {
    if (subscription.status === status) return;
    const before = structuredClone(subscription);
    subscription.status = status;
    this.store.changed();
    this.events.emit('customer.subscription.updated', subscription, previousAttributes(before, subscription));
  }

  private changeItems(subscription: StripeObject, params: UpdateParams, at: number): void {
    const { items, changes } = planItemChanges(this.store, subscription, params.items, at);
    const behaviour = params.proration_behavior ?? 'create_prorations';
    const lines = behaviour === 'none' ? [] : prorationLines(this.store, subscription, changes, at);
    if (behaviour === 'always_invoice' && lines.length > 0) {
      const invoice = this.invoices.build(subscription, lines, 'subscription_update');
      const outcome = this.invoices.outcomeFor(subscription.customer);
      // error_if_incomplete: a declined upgrade changes nothing at all.
      if (invoice.amount_due > 0 && outcome === 'failure' && params.payment_behavior === 'error_if_incomplete')
        throw cardDeclined();
      this.setItems(subscription, items);
      subscription.latest_invoice = invoice.id;
      if (!this.invoices.finalizeAndPay(invoice, outcome)) subscription.status = 'past_due';
      return;
    }
    if (behaviour === 'create_prorations' && lines.length > 0) {
      this.store.data.pending_lines[subscription.id] = [
        ...(this.store.data.pending_lines[subscription.id] ?? []),
        ...lines,
      ];
    }
    this.setItems(subscription, items);
  }

  private setItems(subscription: StripeObject, items: StripeObject[]): void {
    subscription.items = { ...subscription.items, data: items, total_count: items.length };
  }

  private pendingLines(subscription: StripeObject): LineInput[] {
    return (this.store.data.pending_lines[subscription.id] ?? []) as unknown as LineInput[];
  }

  /** Metered usage in the period just ended, summed from meter events, billed in arrears. */
  private usageLines(subscription: StripeObject, period: { start: number; end: number }): LineInput[] {
    return subscription.items.data
      .filter((item: StripeObject) => isMetered(item.price))
      .map((item: StripeObject) => {
        const meter = this.store.collection('meters')[item.price.recurring.meter];
        const quantity = this.store.data.meter_events
          .filter(
            (e) =>
              meter &&
              e.event_name === meter.event_name &&
              e.payload.stripe_customer_id === subscription.customer &&
              e.timestamp >= period.start &&
              e.timestamp < period.end,
          )
          .reduce((sum, e) => sum + Number(e.payload.value ?? 0), 0);
        return {
          amount: amountFor(item.price, quantity),
          description: `Usage: ${quantity} × ${meter?.display_name ?? 'metered'}`,
          price: item.price,
          quantity,
          period,
          subscriptionItem: item.id,
          proration: false,
        };
      });
  }

  private prorationDate(subscription: StripeObject, value?: string): number {
    if (value === undefined) return this.clock.now();
    const at = Number(value);
    const period = periodOf(subscription);
    if (at < period.start || at > period.end)
      throw invalidRequest('proration_date must fall within the current billing period.', 'proration_date');
    return at;
  }
}
