import Stripe from 'stripe';
import { type StripeEmulator, startStripeEmulator } from '../../src/stripe-emulator/emulator.js';

const CARD_SUCCEEDS = '4242424242424242';
const CARD_FAILS_LATER = '4000000000000341';

/** The subscription lifecycle: plan changes with prorations, renewals, cancellation, metered usage. */
describe('Stripe emulator: subscriptions', () => {
  let emulator: StripeEmulator;
  let stripe: Stripe;
  let basic: Stripe.Price;
  let pro: Stripe.Price;

  async function control(path: string, body?: Record<string, unknown>) {
    const response = await fetch(`${emulator.url}/_emulator${path}`, {
      method: 'POST',
      ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    expect(response.status).toBe(200);
    return response.json();
  }

  const advance = (subscriptionId: string, body?: { outcome: 'success' | 'failure' }) =>
    control(`/subscriptions/${subscriptionId}/advance`, body) as Promise<Stripe.Subscription>;

  /** A customer subscribed to `price` through hosted Checkout, paying with `card`. */
  async function subscribe(price: Stripe.Price, card = CARD_SUCCEEDS): Promise<Stripe.Subscription> {
    const customer = await stripe.customers.create({ email: `subscriber-${Math.random()}@example.com` });
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: 'http://localhost/ok',
    });
    const paid = await fetch(session.url!, {
      method: 'POST',
      body: new URLSearchParams({ card_number: card }),
      redirect: 'manual',
    });
    expect(paid.status).toBe(303);
    return stripe.subscriptions.retrieve((await stripe.checkout.sessions.retrieve(session.id)).subscription as string);
  }

  async function eventsFor(type: string, subscriptionId: string): Promise<Stripe.Event[]> {
    const { data } = await stripe.events.list({ type, limit: 100 });
    return data.filter((event) => (event.data.object as { id: string }).id === subscriptionId);
  }

  beforeAll(async () => {
    emulator = await startStripeEmulator({ port: 0, webhooks: { retryBaseMs: 20 } });
    stripe = new Stripe(emulator.secretKey, {
      host: '127.0.0.1',
      port: emulator.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    const product = await stripe.products.create({ name: 'Plans' });
    basic = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 999,
      recurring: { interval: 'month' },
    });
    pro = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 2999,
      recurring: { interval: 'month' },
    });
  });
  afterAll(() => emulator.stop());

  describe('changing plan', () => {
    it('charges on upgrade exactly what the preview showed for the same proration date', async () => {
      const subscription = await subscribe(basic);
      // Ten days into the period, so the proration is a real share of the price difference.
      const { now: prorationDate } = (await control('/clock/advance', { seconds: 10 * 86_400 })) as { now: number };
      const items = [{ id: subscription.items.data[0].id, price: pro.id }];
      const preview = await stripe.invoices.createPreview({
        customer: subscription.customer as string,
        subscription: subscription.id,
        subscription_details: { items, proration_date: prorationDate, proration_behavior: 'always_invoice' },
      });
      const updated = await stripe.subscriptions.update(subscription.id, {
        items,
        proration_behavior: 'always_invoice',
        proration_date: prorationDate,
      });
      const invoice = await stripe.invoices.retrieve(updated.latest_invoice as string);
      expect(invoice.amount_due).toBe(preview.amount_due);
      expect(invoice.amount_due).toBeGreaterThan(0);
      expect(invoice.amount_due).toBeLessThan(2000);
      expect([invoice.status, invoice.billing_reason, updated.items.data[0].price.id]).toEqual([
        'paid',
        'subscription_update',
        pro.id,
      ]);
    });

    it('refuses an upgrade the card declines with error_if_incomplete, leaving the subscription as it was', async () => {
      const subscription = await subscribe(basic, CARD_FAILS_LATER);
      const updatesBefore = (await eventsFor('customer.subscription.updated', subscription.id)).length;
      const upgrade = stripe.subscriptions.update(subscription.id, {
        items: [{ id: subscription.items.data[0].id, price: pro.id }],
        proration_behavior: 'always_invoice',
        payment_behavior: 'error_if_incomplete',
      });
      await expect(upgrade).rejects.toMatchObject({ statusCode: 402, type: 'StripeCardError', code: 'card_declined' });
      expect(await stripe.subscriptions.retrieve(subscription.id)).toEqual(subscription);
      expect(await eventsFor('customer.subscription.updated', subscription.id)).toHaveLength(updatesBefore);
    });
  });

  describe('creation through Checkout', () => {
    it('starts incomplete and turns active once the first invoice is paid, as Stripe does', async () => {
      const subscription = await subscribe(basic);
      const [created] = await eventsFor('customer.subscription.created', subscription.id);
      const [activated] = await eventsFor('customer.subscription.updated', subscription.id);
      expect((created.data.object as Stripe.Subscription).status).toBe('incomplete');
      expect((activated.data.object as Stripe.Subscription).status).toBe('active');
      expect(activated.data.previous_attributes).toMatchObject({ status: 'incomplete' });
    });
  });

  describe('cancelling', () => {
    it('records the change to cancel_at_period_end in previous_attributes', async () => {
      const subscription = await subscribe(basic);
      const updated = await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
      expect(updated.cancel_at_period_end).toBe(true);
      const events = await eventsFor('customer.subscription.updated', subscription.id);
      const event = events.find(
        (e) => e.data.previous_attributes && 'cancel_at_period_end' in e.data.previous_attributes,
      )!;
      expect(event.data.previous_attributes).toMatchObject({ cancel_at_period_end: false });
      expect(event.data.object).toMatchObject({ cancel_at_period_end: true });
    });

    it('ends a subscription set to cancel when its period ends', async () => {
      const subscription = await subscribe(basic);
      await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
      const advanced = await advance(subscription.id);
      expect(advanced.status).toBe('canceled');
      expect(advanced.latest_invoice).toBe(subscription.latest_invoice);
      expect(await eventsFor('customer.subscription.deleted', subscription.id)).toHaveLength(1);
    });

    it('ends a subscription at once on DELETE', async () => {
      const subscription = await subscribe(basic);
      const canceled = await stripe.subscriptions.cancel(subscription.id);
      expect([canceled.status, (await stripe.subscriptions.retrieve(subscription.id)).status]).toEqual([
        'canceled',
        'canceled',
      ]);
      const [event] = await eventsFor('customer.subscription.deleted', subscription.id);
      expect(event.data.object).toMatchObject({ id: subscription.id, status: 'canceled' });
    });
  });

  describe('renewing', () => {
    it('starts the next period where the last one ended, with a paid cycle invoice', async () => {
      const subscription = await subscribe(basic);
      const before = subscription.items.data[0];
      const renewed = await advance(subscription.id);
      expect(renewed.items.data[0].current_period_start).toBe(before.current_period_end);
      expect(renewed.items.data[0].current_period_end).toBeGreaterThan(before.current_period_end);
      expect(renewed.latest_invoice).not.toBe(subscription.latest_invoice);
      const invoice = await stripe.invoices.retrieve(renewed.latest_invoice as string);
      expect(invoice).toMatchObject({ status: 'paid', billing_reason: 'subscription_cycle', amount_paid: 999 });
    });

    it('goes past_due with invoice.payment_failed when the renewal charge fails', async () => {
      const subscription = await subscribe(basic);
      const renewed = await advance(subscription.id, { outcome: 'failure' });
      expect(renewed.status).toBe('past_due');
      const { data: failures } = await stripe.events.list({ type: 'invoice.payment_failed', limit: 100 });
      const failure = failures.find((event) => (event.data.object as Stripe.Invoice).id === renewed.latest_invoice);
      expect(failure?.data.object).toMatchObject({ status: 'open', amount_paid: 0, amount_remaining: 999 });
    });
  });

  describe('metered usage', () => {
    let subscription: Stripe.Subscription;
    let metered: Stripe.Price;

    beforeAll(async () => {
      const meter = await stripe.billing.meters.create({
        display_name: 'API calls',
        event_name: 'api_call',
        default_aggregation: { formula: 'sum' },
      });
      metered = await stripe.prices.create({
        product_data: { name: 'API calls' },
        currency: 'usd',
        unit_amount: 10,
        recurring: { interval: 'month', usage_type: 'metered', meter: meter.id },
        transform_quantity: { divide_by: 1000, round: 'up' },
      });
      subscription = await subscribe(basic);
      subscription = await stripe.subscriptions.update(subscription.id, { items: [{ price: metered.id }] });
    });

    const report = (value: string, identifier?: string) =>
      stripe.billing.meterEvents.create({
        event_name: 'api_call',
        payload: { stripe_customer_id: subscription.customer as string, value },
        identifier,
      });

    it('rejects a second meter event with the same identifier', async () => {
      await report('0', 'usage-once');
      await expect(report('0', 'usage-once')).rejects.toMatchObject({ statusCode: 400, param: 'identifier' });
    });

    it('takes meter events from the past 35 days up to 5 minutes ahead, and refuses others', async () => {
      const now = Math.floor(Date.now() / 1000);
      const at = (timestamp: number) =>
        stripe.billing.meterEvents.create({
          event_name: 'api_call',
          payload: { stripe_customer_id: 'cus_timestamps', value: '1' },
          timestamp,
        });
      expect((await at(now - 34 * 86_400)).timestamp).toBe(now - 34 * 86_400);
      await expect(at(now - 36 * 86_400)).rejects.toMatchObject({ statusCode: 400, param: 'timestamp' });
      await expect(at(now + 600)).rejects.toMatchObject({ statusCode: 400, param: 'timestamp' });
      await expect(at('soon' as unknown as number)).rejects.toMatchObject({ statusCode: 400, param: 'timestamp' });
    });

    it('bills the period’s usage in arrears on the cycle invoice, per started thousand', async () => {
      await report('1200');
      await report('801');
      // Another customer's usage on the same meter is theirs, not this subscription's.
      await stripe.billing.meterEvents.create({
        event_name: 'api_call',
        payload: { stripe_customer_id: 'cus_someone_else', value: '5000' },
      });
      const renewed = await advance(subscription.id);
      const invoice = await stripe.invoices.retrieve(renewed.latest_invoice as string);
      const usage = invoice.lines.data.find((line) => line.pricing?.price_details?.price === metered.id);
      expect(usage).toMatchObject({ quantity: 2001, amount: Math.ceil(2001 / 1000) * 10 });
      expect(invoice.amount_due).toBe(999 + 30);
    });
  });
});
