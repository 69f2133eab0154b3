import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import { type StripeEmulator, startStripeEmulator } from '../../src/stripe-emulator/emulator.js';

type Json = Record<string, unknown>;

/** Stripe's example object of each resource (derived from stripe/openapi fixtures3.json). */
const FIXTURES = JSON.parse(
  readFileSync(new URL('../../src/stripe-emulator/reference/fixtures.json', import.meta.url), 'utf8'),
) as Record<string, Json>;

/**
 * Code written against the emulator must also work against Stripe, so every object it returns has
 * exactly the top-level fields of Stripe's own example, with only the documented exceptions.
 */
describe('Stripe emulator: object shapes', () => {
  let emulator: StripeEmulator;
  const returned: Record<string, Json> = {};

  const asJson = (value: object) => JSON.parse(JSON.stringify(value)) as Json;

  async function payCheckout(stripe: Stripe, session: Stripe.Checkout.Session): Promise<Stripe.Checkout.Session> {
    const paid = await fetch(session.url!, {
      method: 'POST',
      body: new URLSearchParams({ card_number: '4242424242424242' }),
      redirect: 'manual',
    });
    expect(paid.status).toBe(303);
    return stripe.checkout.sessions.retrieve(session.id);
  }

  beforeAll(async () => {
    emulator = await startStripeEmulator({ port: 0, webhooks: { retryBaseMs: 20 } });
    const stripe = new Stripe(emulator.secretKey, {
      host: '127.0.0.1',
      port: emulator.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    const customer = await stripe.customers.create({ email: 'shapes@example.com', name: 'Shapes' });
    const product = await stripe.products.create({ name: 'Shapes plan' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 1500,
      recurring: { interval: 'month' },
    });
    const upgrade = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 2500,
      recurring: { interval: 'month' },
    });
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: 'http://localhost/ok',
    });
    const completed = await payCheckout(stripe, session);
    const guestSession = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer_email: 'guest@example.com',
      line_items: [{ price: price.id }],
      success_url: 'http://localhost/ok',
    });
    const guest = await payCheckout(stripe, guestSession);
    const subscription = await stripe.subscriptions.retrieve(completed.subscription as string);
    const invoice = await stripe.invoices.retrieve(subscription.latest_invoice as string);
    const preview = await stripe.invoices.createPreview({
      customer: customer.id,
      subscription: subscription.id,
      subscription_details: {
        items: [{ id: subscription.items.data[0].id, price: upgrade.id }],
        proration_behavior: 'always_invoice',
      },
    });
    const meter = await stripe.billing.meters.create({
      display_name: 'Shapes calls',
      event_name: 'shapes_call',
      default_aggregation: { formula: 'sum' },
    });
    const meterEvent = await stripe.billing.meterEvents.create({
      event_name: 'shapes_call',
      payload: { stripe_customer_id: customer.id, value: '3' },
    });
    const endpoint = await stripe.webhookEndpoints.create({
      url: 'http://127.0.0.1:9/hook',
      enabled_events: ['invoice.paid'],
    });
    const listedEndpoint = (await stripe.webhookEndpoints.list()).data.find((e) => e.id === endpoint.id)!;
    const portal = await stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: 'http://localhost/account',
    });
    const event = (await stripe.events.list({ type: 'customer.subscription.created', limit: 1 })).data[0];

    Object.assign(returned, {
      customer: asJson(customer),
      'customer (made by checkout)': asJson(await stripe.customers.retrieve(guest.customer as string)),
      product: asJson(product),
      price: asJson(price),
      'checkout.session (open)': asJson(session),
      'checkout.session (complete)': asJson(completed),
      'billing_portal.session': asJson(portal),
      subscription: asJson(subscription),
      subscription_item: asJson(subscription.items.data[0]),
      invoice: asJson(invoice),
      'invoice (create_preview)': asJson(preview),
      line_item: asJson(invoice.lines.data[0]),
      event: asJson(event),
      'billing.meter': asJson(meter),
      'billing.meter_event': asJson(meterEvent),
      'webhook_endpoint (created)': asJson(endpoint),
      'webhook_endpoint (listed)': asJson(listedEndpoint),
    });
  });
  afterAll(() => emulator.stop());

  /** The returned object, Stripe's resource name, and the fields it may carry beyond Stripe's example. */
  const cases: Array<[name: string, resource: string, extra: string[]]> = [
    ['customer', 'customer', []],
    ['customer (made by checkout)', 'customer', []],
    ['product', 'product', []],
    ['price', 'price', []],
    ['checkout.session (open)', 'checkout.session', []],
    ['checkout.session (complete)', 'checkout.session', []],
    ['billing_portal.session', 'billing_portal.session', []],
    ['subscription', 'subscription', []],
    ['subscription_item', 'subscription_item', []],
    ['invoice', 'invoice', []],
    // Stripe adds the proration date it used to a preview, and only to a preview.
    ['invoice (create_preview)', 'invoice', []],
    ['line_item', 'line_item', []],
    ['event', 'event', []],
    ['billing.meter', 'billing.meter', []],
    ['billing.meter_event', 'billing.meter_event', []],
    // The signing secret is shown once, when the endpoint is created.
    ['webhook_endpoint (created)', 'webhook_endpoint', ['secret']],
    ['webhook_endpoint (listed)', 'webhook_endpoint', []],
  ];

  it.each(cases)('%s has exactly the top-level fields of Stripe’s %s', (name, resource, extra) => {
    const expected = [...Object.keys(FIXTURES[resource]), ...extra].sort();
    expect(Object.keys(returned[name]).sort()).toEqual(expected);
  });

  it.each(cases)('%s names itself %s', (name, resource) => {
    expect(returned[name].object).toBe(resource);
  });

  const prefixes: Array<[name: string, prefix: RegExp]> = [
    ['customer', /^cus_\w+$/],
    ['customer (made by checkout)', /^cus_\w+$/],
    ['product', /^prod_\w+$/],
    ['price', /^price_\w+$/],
    ['checkout.session (open)', /^cs_test_\w+$/],
    ['billing_portal.session', /^bps_\w+$/],
    ['subscription', /^sub_\w+$/],
    ['subscription_item', /^si_\w+$/],
    ['invoice', /^in_\w+$/],
    ['line_item', /^il_\w+$/],
    ['event', /^evt_\w+$/],
    ['billing.meter', /^mtr_\w+$/],
    ['webhook_endpoint (created)', /^we_\w+$/],
  ];

  it.each(prefixes)('%s has an id with Stripe’s prefix', (name, prefix) => {
    expect(returned[name].id).toMatch(prefix);
  });

  it('keeps the signing secret off listed webhook endpoints', () => {
    expect(returned['webhook_endpoint (created)'].secret).toMatch(/^whsec_/);
    expect(returned['webhook_endpoint (listed)']).not.toHaveProperty('secret');
  });
});
