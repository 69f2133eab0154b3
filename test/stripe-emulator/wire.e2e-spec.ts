import Stripe from 'stripe';
import { type StripeEmulator, startStripeEmulator } from '../../src/stripe-emulator/emulator.js';

/** What Stripe's edge does around every call: auth, idempotency, parameter checks, errors, faults, lists. */
describe('Stripe emulator: the wire protocol', () => {
  let emulator: StripeEmulator;
  let stripe: Stripe;
  let recurringPrice: Stripe.Price;

  const sdk = (key: string) =>
    new Stripe(key, { host: '127.0.0.1', port: emulator.port, protocol: 'http', maxNetworkRetries: 0 });

  async function call(
    method: string,
    path: string,
    options: { form?: Record<string, string>; headers?: Record<string, string>; auth?: string | null } = {},
  ) {
    const authorization = options.auth === undefined ? `Bearer ${emulator.secretKey}` : options.auth;
    const response = await fetch(`${emulator.url}${path}`, {
      method,
      headers: {
        ...(authorization ? { authorization } : {}),
        ...(options.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...options.headers,
      },
      body: options.form ? new URLSearchParams(options.form).toString() : undefined,
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  }

  async function subscribe(customer: string): Promise<string> {
    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer,
      line_items: [{ price: recurringPrice.id, quantity: 1 }],
    });
    const paid = await fetch(session.url!, {
      method: 'POST',
      body: new URLSearchParams({ card_number: '4242424242424242' }),
      redirect: 'manual',
    });
    expect(paid.status).toBeLessThan(400);
    return (await stripe.checkout.sessions.retrieve(session.id)).subscription as string;
  }

  beforeAll(async () => {
    emulator = await startStripeEmulator({ port: 0, webhooks: { retryBaseMs: 20 } });
    stripe = sdk(emulator.secretKey);
    recurringPrice = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 999,
      recurring: { interval: 'month' },
      product_data: { name: 'Wire plan' },
    });
  });
  afterAll(() => emulator.stop());

  describe('authentication', () => {
    it('answers a request without a key with Stripe’s 401', async () => {
      const response = await call('GET', '/v1/customers', { auth: null });
      expect(response.status).toBe(401);
      expect(response.body.error).toMatchObject({
        type: 'invalid_request_error',
        message: expect.stringContaining('You did not provide an API key'),
      });
    });

    it('answers a wrong key with a 401 that masks the key', async () => {
      const error = await sdk('sk_test_not_the_emulator_key')
        .customers.list()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
      expect(error).toMatchObject({
        statusCode: 401,
        message: expect.stringMatching(/^Invalid API Key provided: sk_test_\*+_key$/),
      });
    });

    it('accepts the key as an HTTP Basic user name, as curl -u sends it', async () => {
      const basic = `Basic ${Buffer.from(`${emulator.secretKey}:`).toString('base64')}`;
      const response = await call('GET', '/v1/customers', { auth: basic });
      expect([response.status, response.body.object]).toEqual([200, 'list']);
    });
  });

  describe('idempotency keys', () => {
    it('replays the first response for the same key and body', async () => {
      const form = { email: 'replay@example.com' };
      const first = await call('POST', '/v1/customers', { form, headers: { 'idempotency-key': 'replay-1' } });
      const second = await call('POST', '/v1/customers', { form, headers: { 'idempotency-key': 'replay-1' } });
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      expect(second.body).toEqual(first.body);
      expect((await stripe.customers.list({ email: 'replay@example.com' })).data).toHaveLength(1);
    });

    it('rejects the same key with a different body', async () => {
      await call('POST', '/v1/customers', {
        form: { email: 'key-a@example.com' },
        headers: { 'idempotency-key': 'reuse-1' },
      });
      const response = await call('POST', '/v1/customers', {
        form: { email: 'key-b@example.com' },
        headers: { 'idempotency-key': 'reuse-1' },
      });
      expect([response.status, response.body.error.type]).toEqual([400, 'idempotency_error']);
      expect((await stripe.customers.list({ email: 'key-b@example.com' })).data).toHaveLength(0);
    });
  });

  describe('parameter checks', () => {
    it('rejects an unknown top-level parameter', async () => {
      await expect(stripe.customers.create({ bogus: 'x' } as Stripe.CustomerCreateParams)).rejects.toMatchObject({
        statusCode: 400,
        code: 'parameter_unknown',
        param: 'bogus',
      });
    });

    it('rejects an unknown parameter inside a known hash, naming it with brackets', async () => {
      const params = { address: { line1: '1 Main St', bogus: 'x' } } as Stripe.CustomerCreateParams;
      await expect(stripe.customers.create(params)).rejects.toMatchObject({
        statusCode: 400,
        code: 'parameter_unknown',
        param: 'address[bogus]',
        message: 'Received unknown parameter: address[bogus]',
      });
    });

    it('rejects an unknown parameter inside a checkout line item', async () => {
      const line = {
        price: recurringPrice.id,
        quantity: 1,
        bogus: 'x',
      } as Stripe.Checkout.SessionCreateParams.LineItem;
      await expect(stripe.checkout.sessions.create({ mode: 'subscription', line_items: [line] })).rejects.toMatchObject(
        { statusCode: 400, code: 'parameter_unknown', param: 'line_items[0][bogus]' },
      );
    });

    it('rejects an unknown parameter inside a subscription item', async () => {
      const subscription = await stripe.subscriptions.retrieve(await subscribe((await stripe.customers.create()).id));
      const item = { id: subscription.items.data[0].id, bogus: 'x' } as Stripe.SubscriptionUpdateParams.Item;
      await expect(stripe.subscriptions.update(subscription.id, { items: [item] })).rejects.toMatchObject({
        statusCode: 400,
        code: 'parameter_unknown',
        param: 'items[0][bogus]',
      });
    });

    it('rejects a malformed integer', async () => {
      const response = await call('POST', '/v1/prices', {
        form: { currency: 'usd', unit_amount: 'ten', 'product_data[name]': 'Bad' },
      });
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({
        type: 'invalid_request_error',
        param: 'unit_amount',
        message: 'Invalid integer: ten',
      });
    });

    it('rejects a value outside an enum', async () => {
      const params = { tax_exempt: 'sometimes' } as unknown as Stripe.CustomerCreateParams;
      await expect(stripe.customers.create(params)).rejects.toMatchObject({
        statusCode: 400,
        type: 'StripeInvalidRequestError',
        param: 'tax_exempt',
      });
    });
  });

  describe('nested required parameters', () => {
    it('names a missing nested parameter by its full bracketed path', async () => {
      await expect(
        stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ quantity: 1 }] }),
      ).rejects.toMatchObject({ code: 'parameter_missing', param: 'line_items[0][price]' });
      await expect(
        stripe.prices.create({ currency: 'usd', unit_amount: 1, product_data: {} as never }),
      ).rejects.toMatchObject({ param: 'product_data[name]' });
    });
  });

  describe('canceled subscriptions', () => {
    it('still accept a metadata-only update, and refuse anything else', async () => {
      const customer = await stripe.customers.create({ email: 'canceled@example.com' });
      const id = await subscribe(customer.id);
      await stripe.subscriptions.cancel(id);
      const updated = await stripe.subscriptions.update(id, { metadata: { note: 'kept' } });
      expect(updated.metadata.note).toBe('kept');
      await expect(stripe.subscriptions.update(id, { cancel_at_period_end: true })).rejects.toMatchObject({
        statusCode: 400,
      });
    });
  });

  describe('errors', () => {
    it('answers an unknown id with 404 resource_missing and Stripe’s message', async () => {
      await expect(stripe.customers.retrieve('cus_doesnotexist')).rejects.toMatchObject({
        statusCode: 404,
        code: 'resource_missing',
        message: "No such customer: 'cus_doesnotexist'",
      });
    });

    it('answers an unknown URL with a Stripe-shaped 404', async () => {
      const response = await call('GET', '/v1/nothing_here?x=1');
      expect(response.status).toBe(404);
      expect(response.body.error).toMatchObject({
        type: 'invalid_request_error',
        message: expect.stringContaining('Unrecognized request URL (GET: /v1/nothing_here)'),
      });
    });
  });

  describe('injected faults', () => {
    it('fails the next requests with 500 when asked with a JSON body', async () => {
      const response = await fetch(`${emulator.url}/_emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ count: 2, mode: 'error' }),
      });
      expect(response.status).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await call('GET', '/v1/customers')).status);
      expect(statuses).toEqual([500, 500, 200]);
    });

    it('accepts the fault request form-encoded and answers with Stripe’s api_error', async () => {
      const armed = await call('POST', '/_emulator/faults', { auth: null, form: { count: '1', mode: 'error' } });
      expect(armed.body).toMatchObject({ remaining: 1, mode: 'error' });
      await expect(stripe.products.list()).rejects.toMatchObject({ statusCode: 500, type: 'StripeAPIError' });
      expect((await stripe.products.list()).object).toBe('list');
    });
  });

  describe('lists', () => {
    it('pages newest first with limit, starting_after and has_more', async () => {
      const created = [];
      for (const name of ['Page one', 'Page two', 'Page three'])
        created.push((await stripe.products.create({ name })).id);
      const first = await stripe.products.list({ limit: 2 });
      expect([first.data.map((p) => p.id), first.has_more]).toEqual([[created[2], created[1]], true]);
      const next = await stripe.products.list({ limit: 1, starting_after: created[1] });
      expect(next.data.map((p) => p.id)).toEqual([created[0]]);
      const rest = await stripe.products.list({ limit: 100, starting_after: created[1] });
      expect(rest.has_more).toBe(false);
    });

    it('pages backwards with ending_before and reports has_more', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await stripe.customers.create({ email: `back-${i}@example.com` })).id);
      const page = await stripe.customers.list({ ending_before: ids[0], limit: 2 });
      expect(page.data.map((c) => c.id)).toEqual([ids[2], ids[1]]);
      expect(page.has_more).toBe(true);
    });

    it('rejects an unknown cursor and a limit outside 1 to 100', async () => {
      await expect(stripe.customers.list({ starting_after: 'cus_doesnotexist' })).rejects.toMatchObject({
        statusCode: 400,
        code: 'resource_missing',
        param: 'starting_after',
      });
      await expect(stripe.customers.list({ limit: 0 })).rejects.toMatchObject({ statusCode: 400, param: 'limit' });
    });

    it('expands an id into the object it names', async () => {
      const customer = await stripe.customers.create({ email: 'expand@example.com' });
      await subscribe(customer.id);
      const plain = await stripe.subscriptions.list({ customer: customer.id });
      const expanded = await stripe.subscriptions.list({ customer: customer.id, expand: ['data.latest_invoice'] });
      expect(plain.data[0].latest_invoice).toMatch(/^in_/);
      expect(expanded.data[0].latest_invoice).toMatchObject({
        object: 'invoice',
        id: plain.data[0].latest_invoice,
        customer: customer.id,
      });
    });
  });
});
