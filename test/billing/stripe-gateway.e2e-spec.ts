import type { INestApplicationContext } from '@nestjs/common';
import { register } from 'prom-client';
import { AppError } from '../../src/common/errors/app-error.js';
import { StripeGateway } from '../../src/billing/stripe/stripe-gateway.js';
import { startStripeEmulator, type StripeEmulator } from '../../src/stripe-emulator/emulator.js';
import { emulatorSettings, stripeContext } from '../support/stripe-context.js';

/** The gateway against the emulator over real HTTP: keys, retries, timeouts, error mapping, metrics. */
describe('StripeGateway', () => {
  let emulator: StripeEmulator;
  let app: INestApplicationContext;
  let gateway: StripeGateway;

  const faults = (body: Record<string, unknown>) =>
    fetch(`${emulator.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const failure = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  };

  beforeAll(async () => {
    emulator = await startStripeEmulator({ port: 0 });
    app = await stripeContext(emulatorSettings(emulator, { timeoutMs: 400 }));
    gateway = app.get(StripeGateway);
  });
  afterAll(async () => {
    await app.close();
    await emulator.stop();
  });
  afterEach(() => faults({ count: 0 }));

  it('sends the intent as the idempotency key, so a repeated write creates one object', async () => {
    const create = () =>
      gateway.call(
        'customers.create',
        (stripe, options) => stripe.customers.create({ email: 'once@example.com' }, options),
        'customer:tenant-1:test',
      );
    const [first, second] = [await create(), await create()];
    expect(second.id).toBe(first.id);
    const customers = Object.values(emulator.context.store.collection('customers')).filter(
      (c) => c.email === 'once@example.com',
    );
    expect(customers).toHaveLength(1);
  });

  it('creates a new object for a different intent', async () => {
    const a = await gateway.call(
      'customers.create',
      (s, o) => s.customers.create({ email: 'a@example.com' }, o),
      'customer:a',
    );
    const b = await gateway.call(
      'customers.create',
      (s, o) => s.customers.create({ email: 'a@example.com' }, o),
      'customer:b',
    );
    expect(a.id).not.toBe(b.id);
  });

  it('maps an invalid request to a 400 carrying Stripe’s message and param', async () => {
    const error = await failure(gateway.call('customers.create', (s) => s.customers.create({ bogus: 1 } as never)));
    expect(error).toMatchObject({
      code: 'stripe_invalid_request',
      status: 400,
      message: 'Received unknown parameter: bogus',
      fields: { param: 'bogus' },
    });
  });

  it('retries a 5xx and succeeds when Stripe recovers within the retries', async () => {
    await faults({ count: 2, mode: 'error' });
    const customer = await gateway.call(
      'customers.create',
      (s, o) => s.customers.create({ email: 'retried@example.com' }, o),
      'customer:retried',
    );
    expect(customer.id).toMatch(/^cus_/);
  });

  it('maps Stripe answering 500 past the retries to 502 stripe_unavailable', async () => {
    await faults({ count: 3, mode: 'error' });
    const error = await failure(gateway.call('customers.list', (s) => s.customers.list()));
    expect([error.code, error.status]).toEqual(['stripe_unavailable', 502]);
  });

  it('gives up on a hanging Stripe after the timeout, as 502 stripe_unavailable', async () => {
    await faults({ count: 3, mode: 'hang', hang_ms: 5_000 });
    const started = Date.now();
    const error = await failure(gateway.call('customers.list', (s) => s.customers.list()));
    expect(error.code).toBe('stripe_unavailable');
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('maps an unreachable Stripe to 502 stripe_unavailable', async () => {
    const offline = await stripeContext(emulatorSettings(emulator, { apiBase: 'http://127.0.0.1:9' }));
    const error = await failure(offline.get(StripeGateway).call('customers.list', (s) => s.customers.list()));
    await offline.close();
    expect(error.code).toBe('stripe_unavailable');
    app = await stripeContext(emulatorSettings(emulator, { timeoutMs: 400 }));
    gateway = app.get(StripeGateway);
  });

  it('maps a rejected key to stripe_misconfigured, never echoing the key', async () => {
    const wrong = await stripeContext(emulatorSettings(emulator, { secretKey: 'sk_test_wrongwrongwrong' }));
    const error = await failure(wrong.get(StripeGateway).call('customers.list', (s) => s.customers.list()));
    await wrong.close();
    expect(error.code).toBe('stripe_misconfigured');
    expect(JSON.stringify(error)).not.toContain('wrongwrongwrong');
    app = await stripeContext(emulatorSettings(emulator, { timeoutMs: 400 }));
    gateway = app.get(StripeGateway);
  });

  it('maps a declined card to 402 card_declined', async () => {
    const customer = await gateway.call('customers.create', (s) =>
      s.customers.create({ email: 'declined@example.com' }),
    );
    const price = await gateway.call('prices.create', (s) =>
      s.prices.create({
        currency: 'usd',
        unit_amount: 999,
        recurring: { interval: 'month' },
        product_data: { name: 'P' },
      }),
    );
    const better = await gateway.call('prices.create', (s) =>
      s.prices.create({
        currency: 'usd',
        unit_amount: 2999,
        recurring: { interval: 'month' },
        product_data: { name: 'Q' },
      }),
    );
    const subscription = emulator.context.subscriptions.create(
      customer.id,
      [{ price: emulator.context.store.get('prices', price.id, 'price'), quantity: 1 }],
      {},
    );
    emulator.context.store.data.customer_cards[customer.id] = 'fails_later';
    const error = await failure(
      gateway.call('subscriptions.update', (s) =>
        s.subscriptions.update(subscription.id, {
          items: [{ id: subscription.items.data[0].id, price: better.id }],
          proration_behavior: 'always_invoice',
          payment_behavior: 'error_if_incomplete',
        }),
      ),
    );
    expect([error.code, error.status]).toEqual(['card_declined', 402]);
  });

  it('counts and times every call by operation and result', async () => {
    await gateway.call('customers.list', (s) => s.customers.list());
    await faults({ count: 3, mode: 'error' });
    await gateway.call('customers.list', (s) => s.customers.list()).catch(() => undefined);
    await gateway.call('customers.create', (s) => s.customers.create({ bogus: 1 } as never)).catch(() => undefined);
    const counter = await register.getSingleMetric('stripe_api_requests_total')!.get();
    const byLabels = (operation: string, result: string) =>
      counter.values.find((v) => v.labels.operation === operation && v.labels.result === result)?.value ?? 0;
    expect(byLabels('customers.list', 'ok')).toBeGreaterThanOrEqual(1);
    expect(byLabels('customers.list', 'unavailable')).toBe(1);
    expect(byLabels('customers.create', 'invalid_request')).toBe(1);
    const histogram = await register.getSingleMetric('stripe_api_request_duration_seconds')!.get();
    expect(histogram.values.some((v) => v.labels.operation === 'customers.list' && v.labels.result === 'ok')).toBe(
      true,
    );
  });
});
