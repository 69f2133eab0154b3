import { type BillingTestApp, startBillingApp } from '../support/billing-app.js';

/** The billing routes end to end: the real SDK, the emulator over HTTP, webhooks back to the app. */
describe('billing API', () => {
  let t: BillingTestApp;
  beforeAll(async () => {
    t = await startBillingApp();
  });
  afterAll(() => t.close());

  const status = async (apiKey: string) => (await t.request('GET', '/billing/status', { token: apiKey })).body;

  it('lists the plans publicly, prices in cents', async () => {
    const response = await t.request('GET', '/billing/plans');
    expect(response.status).toBe(200);
    expect(response.body.map((p: { id: string; price: number }) => [p.id, p.price])).toEqual([
      ['free', 0],
      ['starter', 999],
      ['pro', 2999],
      ['enterprise', 9999],
    ]);
  });

  it('serves the default landing pages Checkout returns to', async () => {
    expect((await t.request('GET', '/billing/success?session_id=cs_test_x')).body.message).toContain(
      'Payment received',
    );
    expect((await t.request('GET', '/billing/cancel')).body.message).toContain('nothing was charged');
  });

  it('starts every tenant on free with the calendar-month quota', async () => {
    const { apiKey } = await t.createTenant();
    const body = await status(apiKey);
    expect(body).toMatchObject({
      plan: { id: 'free' },
      source: 'free',
      subscription: null,
      quota: { limit: 10_000, used: 0, remaining: 10_000 },
      rate_limit: { requests_per_hour: 10 },
      payg_enabled: false,
    });
  });

  it('sells starter through Checkout; status reports it once the webhooks land', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    const checkout = await t.request('POST', '/billing/checkout', { token: apiKey, body: { plan_id: 'starter' } });
    expect(checkout.status).toBe(201);
    expect(checkout.body.url).toContain('/c/pay/');
    const session = t.emulator.context.store.get('checkout_sessions', checkout.body.session_id, 'checkout.session');
    expect(session).toMatchObject({ client_reference_id: tenantId, metadata: { tenant_id: tenantId, env: 'test' } });
    expect(session.success_url).toBe(`${t.config.appUrl}/billing/success?session_id={CHECKOUT_SESSION_ID}`);
    await fetch(checkout.body.url, {
      method: 'POST',
      body: new URLSearchParams({ card_number: '4242424242424242' }),
      redirect: 'manual',
    });
    await t.settle();
    expect(await status(apiKey)).toMatchObject({
      plan: { id: 'starter' },
      source: 'subscription',
      status: 'active',
      subscription: { status: 'active', plan_id: 'starter' },
      quota: { limit: 100_000 },
    });
    const customer = t.emulator.context.store.get('customers', session.customer, 'customer');
    expect(customer.metadata).toEqual({ tenant_id: tenantId, env: 'test' });
  });

  it('returns the same session for the same request repeated, and with the same Idempotency-Key', async () => {
    const { apiKey } = await t.createTenant();
    const first = await t.request('POST', '/billing/checkout', { token: apiKey, body: { plan_id: 'pro' } });
    const again = await t.request('POST', '/billing/checkout', { token: apiKey, body: { plan_id: 'pro' } });
    const keyed = await t.request('POST', '/billing/checkout', {
      token: apiKey,
      body: { plan_id: 'pro' },
      headers: { 'idempotency-key': 'k-1' },
    });
    const keyedAgain = await t.request('POST', '/billing/checkout', {
      token: apiKey,
      body: { plan_id: 'pro' },
      headers: { 'idempotency-key': 'k-1' },
    });
    expect(again.body.session_id).toBe(first.body.session_id);
    expect(keyedAgain.body.session_id).toBe(keyed.body.session_id);
  });

  it('expires a tenant’s older open checkout when a new one starts, so only one can be paid', async () => {
    const { apiKey } = await t.createTenant();
    const older = await t.request('POST', '/billing/checkout', { token: apiKey, body: { plan_id: 'starter' } });
    const newer = await t.request('POST', '/billing/checkout', { token: apiKey, body: { plan_id: 'pro' } });
    expect(t.emulator.context.store.get('checkout_sessions', older.body.session_id, 'checkout.session').status).toBe(
      'expired',
    );
    expect(t.emulator.context.store.get('checkout_sessions', newer.body.session_id, 'checkout.session').status).toBe(
      'open',
    );
    const pay = await fetch(older.body.url, {
      method: 'POST',
      body: new URLSearchParams({ card_number: '4242424242424242' }),
      redirect: 'manual',
    });
    expect(pay.status).toBe(409);
  });

  it('creates one Stripe customer per tenant and env, however many checkouts', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    await t.request('POST', '/billing/checkout', { token: apiKey, body: { plan_id: 'pro' } });
    await t.request('POST', '/billing/checkout', { token: apiKey, body: { plan_id: 'starter' } });
    const customers = Object.values(t.emulator.context.store.collection('customers')).filter(
      (c) => c.metadata.tenant_id === tenantId,
    );
    expect(customers).toHaveLength(1);
  });

  it.each([
    [{ plan_id: 'free' }, 400, 'plan_not_purchasable'],
    [{ plan_id: 'platinum' }, 400, 'unknown_plan'],
    [{ plan_id: 'pro', success_url: 'https://evil.example.com/phish' }, 400, 'redirect_not_allowed'],
    [{ plan_id: 'pro', cancel_url: 'javascript:alert(1)' }, 400, 'validation_failed'],
    [{ plan_id: 'pro', price_id: 'price_cheap' }, 400, 'validation_failed'],
  ])('refuses checkout %j with %i %s, creating nothing', async (body, code, error) => {
    const { apiKey, tenantId } = await t.createTenant();
    const response = await t.request('POST', '/billing/checkout', { token: apiKey, body });
    expect([response.status, response.body.error.code]).toEqual([code, error]);
    const sessions = Object.values(t.emulator.context.store.collection('checkout_sessions')).filter(
      (s) => s.client_reference_id === tenantId,
    );
    expect(sessions).toEqual([]);
  });

  it('accepts redirects on APP_URL and answers 409 already_subscribed for a paying tenant', async () => {
    const { apiKey } = await t.createTenant();
    const ok = await t.request('POST', '/billing/checkout', {
      token: apiKey,
      body: { plan_id: 'starter', success_url: `${t.config.appUrl}/thanks`, cancel_url: `${t.config.appUrl}/back` },
    });
    expect(ok.status).toBe(201);
    await t.buy(apiKey, 'starter');
    const again = await t.request('POST', '/billing/checkout', { token: apiKey, body: { plan_id: 'pro' } });
    expect([again.status, again.body.error.code, again.body.error.change_url]).toEqual([
      409,
      'already_subscribed',
      '/billing/subscription/change',
    ]);
  });

  it('opens the portal for a customer, and says no_billing_account before there is one', async () => {
    const fresh = await t.createTenant();
    const none = await t.request('POST', '/billing/portal', { token: fresh.apiKey, body: {} });
    expect([none.status, none.body.error.code]).toEqual([409, 'no_billing_account']);
    await t.buy(fresh.apiKey, 'starter');
    const portal = await t.request('POST', '/billing/portal', { token: fresh.apiKey, body: {} });
    expect(portal.status).toBe(200);
    expect(portal.body.url).toContain('/p/session/');
    expect((await fetch(portal.body.url)).status).toBe(200);
  });
});
