import { createServer, type Server } from 'node:http';
import Stripe from 'stripe';
import { type StripeEmulator, startStripeEmulator } from '../../src/stripe-emulator/emulator.js';

interface Received {
  rawBody: string;
  signature: string;
  event: Stripe.Event;
}

/** A local webhook endpoint: records every delivery and answers with what `respond` says. */
async function startListener(
  respond: (count: number) => number = () => 200,
): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      received.push({ rawBody, signature: String(request.headers['stripe-signature']), event: JSON.parse(rawBody) });
      response.writeHead(respond(received.length)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/webhooks`, received, server };
}

const SUBSCRIPTION_CHECKOUT_EVENTS = [
  'checkout.session.completed',
  'customer.subscription.created',
  'invoice.created',
  'invoice.finalized',
  'invoice.paid',
];

describe('Stripe emulator: hosted checkout and webhooks', () => {
  let emulator: StripeEmulator;
  let stripe: Stripe;
  let listener: Awaited<ReturnType<typeof startListener>>;
  let secret: string;
  let price: Stripe.Price;
  const servers: Server[] = [];

  const pay = (session: Stripe.Checkout.Session, card: string) =>
    fetch(session.url!, { method: 'POST', body: new URLSearchParams({ card_number: card }), redirect: 'manual' });

  async function openCheckout(email: string) {
    const customer = await stripe.customers.create({ email });
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 1 }],
      subscription_data: { metadata: { tenant_id: 'tenant-42' } },
      success_url: 'http://localhost:3000/billing/done?session={CHECKOUT_SESSION_ID}',
      cancel_url: 'http://localhost:3000/billing',
    });
    return { customer, session };
  }

  /** Deliveries of events about this customer: the customer itself, or an object that belongs to it. */
  const about = (customerId: string) =>
    listener.received.filter(({ event }) => {
      const object = event.data.object as { id: string; customer?: string };
      return object.id === customerId || object.customer === customerId;
    });
  const chaos = (options: Record<string, unknown>) =>
    fetch(`${emulator.url}/_emulator/chaos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(options),
    });

  beforeAll(async () => {
    emulator = await startStripeEmulator({ port: 0, webhooks: { retryBaseMs: 20 } });
    stripe = new Stripe(emulator.secretKey, {
      host: '127.0.0.1',
      port: emulator.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    listener = await startListener();
    servers.push(listener.server);
    secret = emulator.addWebhookEndpoint(listener.url);
    price = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 1900,
      recurring: { interval: 'month' },
      product_data: { name: 'Team' },
    });
  });
  afterAll(async () => {
    await emulator.stop();
    for (const server of servers) server.close();
  });

  describe('paying with a card that succeeds', () => {
    let customer: Stripe.Customer;
    let session: Stripe.Checkout.Session;
    let payment: Response;

    beforeAll(async () => {
      ({ customer, session } = await openCheckout('paid@example.com'));
      payment = await pay(session, '4242 4242 4242 4242');
      await emulator.idle();
    });

    it('serves a hosted page with a card field and a Pay button', async () => {
      const { customer: other, session: open } = await openCheckout('page@example.com');
      const page = await fetch(open.url!);
      expect([page.status, page.headers.get('content-type')]).toEqual([200, expect.stringContaining('text/html')]);
      const html = await page.text();
      expect(html).toMatch(/<input[^>]+name="card_number"/);
      expect(html).toMatch(/<button[^>]*>Pay<\/button>/);
      expect(other.id).not.toBe(customer.id);
    });

    it('redirects with 303 to success_url, the session id filled in', () => {
      expect(payment.status).toBe(303);
      expect(payment.headers.get('location')).toBe(`http://localhost:3000/billing/done?session=${session.id}`);
    });

    it('delivers Stripe’s subscription-checkout events, each signed with the endpoint secret', () => {
      const deliveries = about(customer.id);
      expect(deliveries.map((d) => d.event.type)).toEqual(expect.arrayContaining(SUBSCRIPTION_CHECKOUT_EVENTS));
      for (const { rawBody, signature, event } of deliveries) {
        expect(stripe.webhooks.constructEvent(rawBody, signature, secret).id).toBe(event.id);
      }
    });

    it('signs so that another secret does not verify', () => {
      const [{ rawBody, signature }] = about(customer.id);
      expect(() => stripe.webhooks.constructEvent(rawBody, signature, 'whsec_someone_else')).toThrow(
        Stripe.errors.StripeSignatureVerificationError,
      );
    });

    it('creates the subscription with subscription_data.metadata and its period on the items', async () => {
      const completed = await stripe.checkout.sessions.retrieve(session.id);
      const subscription = await stripe.subscriptions.retrieve(completed.subscription as string);
      expect(subscription).toMatchObject({
        customer: customer.id,
        status: 'active',
        metadata: { tenant_id: 'tenant-42' },
      });
      const [item] = subscription.items.data;
      expect(item.price.id).toBe(price.id);
      expect(item.current_period_end).toBeGreaterThan(item.current_period_start);
    });
  });

  describe('paying with a card that is declined', () => {
    let customer: Stripe.Customer;
    let session: Stripe.Checkout.Session;
    let newestEvent: string;
    let payment: Response;

    beforeAll(async () => {
      ({ customer, session } = await openCheckout('declined@example.com'));
      await emulator.idle();
      newestEvent = (await stripe.events.list({ limit: 1 })).data[0].id;
      payment = await pay(session, '4000 0000 0000 0002');
      await emulator.idle();
    });

    it('answers 402 with a page that says the card was declined', async () => {
      expect(payment.status).toBe(402);
      expect(await payment.text()).toMatch(/declined/i);
    });

    it('changes nothing: no subscription, the session still open, the customer as it was', async () => {
      expect((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toEqual([]);
      expect((await stripe.checkout.sessions.retrieve(session.id)).status).toBe('open');
      expect(await stripe.customers.retrieve(customer.id)).toEqual(customer);
    });

    it('emits no events', async () => {
      expect((await stripe.events.list({ ending_before: newestEvent })).data).toEqual([]);
      expect(about(customer.id).map((d) => d.event.type)).toEqual(['customer.created']);
    });
  });

  it('retries a delivery that failed, with the same event, until it succeeds', async () => {
    const flaky = await startListener((count) => (count <= 2 ? 500 : 200));
    servers.push(flaky.server);
    emulator.addWebhookEndpoint(flaky.url, ['product.created']);
    const product = await stripe.products.create({ name: 'Retried' });
    await emulator.idle();
    expect(flaky.received.map((d) => (d.event.data.object as Stripe.Product).id)).toEqual([
      product.id,
      product.id,
      product.id,
    ]);
    expect(new Set(flaky.received.map((d) => d.event.id)).size).toBe(1);
    const { data } = (await (await fetch(`${emulator.url}/_emulator/deliveries`)).json()) as {
      data: Array<{ url: string; attempt: number; status: number; event_id: string }>;
    };
    const attempts = data.filter((d) => d.url === flaky.url);
    expect(attempts.map((d) => [d.attempt, d.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    expect(attempts.every((d) => d.event_id === flaky.received[0].event.id)).toBe(true);
  });

  describe('chaos', () => {
    afterEach(async () => {
      await chaos({});
      await emulator.idle();
    });

    it('with duplicate, delivers every event twice', async () => {
      expect((await chaos({ duplicate: true })).status).toBe(200);
      const { customer, session } = await openCheckout('twice@example.com');
      expect((await pay(session, '4242424242424242')).status).toBe(303);
      await emulator.idle();
      const counts = new Map<string, number>();
      for (const { event } of about(customer.id)) counts.set(event.id, (counts.get(event.id) ?? 0) + 1);
      expect(counts.size).toBeGreaterThanOrEqual(SUBSCRIPTION_CHECKOUT_EVENTS.length + 1);
      expect([...new Set(counts.values())]).toEqual([2]);
    });

    it('with shuffle, still delivers every event exactly once', async () => {
      await emulator.idle();
      const newestEvent = (await stripe.events.list({ limit: 1 })).data[0].id;
      listener.received.length = 0;
      expect((await chaos({ shuffle: true })).status).toBe(200);
      const { session } = await openCheckout('shuffled@example.com');
      expect((await pay(session, '4242424242424242')).status).toBe(303);
      await emulator.idle();
      const emitted = (await stripe.events.list({ ending_before: newestEvent, limit: 100 })).data.map((e) => e.id);
      const delivered = listener.received.map((d) => d.event.id);
      expect(emitted.length).toBeGreaterThanOrEqual(SUBSCRIPTION_CHECKOUT_EVENTS.length + 1);
      expect([...delivered].sort()).toEqual([...emitted].sort());
    });
  });
});
