import { type BillingTestApp, startBillingApp } from '../support/billing-app.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const OWNER_ADMIN_ROUTES: Array<[string, unknown]> = [
  ['/billing/checkout', { plan_id: 'starter' }],
  ['/billing/portal', {}],
  ['/billing/subscription/preview', { plan_id: 'pro' }],
  ['/billing/subscription/change', { plan_id: 'pro' }],
  ['/billing/subscription/cancel', {}],
  ['/billing/subscription/reactivate', {}],
  ['/billing/payg', { enable: true }],
];

describe('billing guards', () => {
  let t: BillingTestApp;
  let owner: { tenantId: string; apiKey: string };
  let memberKey: string;
  beforeAll(async () => {
    t = await startBillingApp();
    owner = await t.createTenant('Guarded');
    await t.buy(owner.apiKey, 'starter');
    memberKey = (
      await t.request('POST', '/tenants/current/api-keys', {
        token: owner.apiKey,
        body: { name: 'member', role: 'member' },
      })
    ).body.key;
  });
  afterAll(() => t.close());

  const stripeState = () =>
    JSON.stringify([
      t.emulator.context.store.collection('subscriptions'),
      Object.keys(t.emulator.context.store.collection('checkout_sessions')).length,
    ]);

  it.each(OWNER_ADMIN_ROUTES)('refuses a member on %s with 403, touching nothing in Stripe', async (path, body) => {
    const before = stripeState();
    const response = await t.request('POST', path, { token: memberKey, body });
    expect([response.status, response.body.error.code]).toEqual([403, 'forbidden_role']);
    expect(stripeState()).toBe(before);
  });

  it('lets a member read the billing status', async () => {
    const response = await t.request('GET', '/billing/status', { token: memberKey });
    expect([response.status, response.body.plan.id]).toEqual([200, 'starter']);
  });

  it.each([...OWNER_ADMIN_ROUTES, ['/billing/status', undefined] as [string, unknown]])(
    'refuses another tenant’s credentials naming this tenant on %s',
    async (path, body) => {
      const intruder = await t.createTenant('Intruder');
      const before = stripeState();
      const response = await t.request(body === undefined ? 'GET' : 'POST', path, {
        token: intruder.apiKey,
        tenantId: owner.tenantId,
        body,
      });
      expect(response.status).toBe(403);
      expect(stripeState()).toBe(before);
    },
  );

  it('keeps another tenant’s actions on its own subscription only', async () => {
    const other = await t.createTenant('Other buyer');
    await t.buy(other.apiKey, 'pro');
    await t.request('POST', '/billing/subscription/cancel', { token: other.apiKey, body: { at_period_end: false } });
    expect((await t.request('GET', '/billing/status', { token: owner.apiKey })).body).toMatchObject({
      plan: { id: 'starter' },
      cancel_at_period_end: false,
    });
  });

  it('answers 409 billing_env_unavailable for an env this deployment has no Stripe key for', async () => {
    const token = await t.mintToken('idp|live-buyer', 'live-buyer@example.com');
    const tenantId = (await t.request('POST', '/tenants', { token, body: { name: 'Live' } })).body.id;
    const response = await t.request('POST', '/billing/checkout', {
      token,
      tenantId,
      env: 'live',
      body: { plan_id: 'starter' },
    });
    expect([response.status, response.body.error.code]).toEqual([409, 'billing_env_unavailable']);
  });

  describe('when Stripe fails', () => {
    afterEach(() => t.emulatorControl('faults', { count: 0 }));

    it('answers 502 stripe_unavailable when Stripe returns 500, with nothing created locally', async () => {
      const fresh = await t.createTenant('Outage');
      await t.emulatorControl('faults', { count: 10, mode: 'error' });
      const response = await t.request('POST', '/billing/checkout', { token: fresh.apiKey, body: { plan_id: 'pro' } });
      expect([response.status, response.body.error.code]).toEqual([502, 'stripe_unavailable']);
      expect(await t.query('SELECT * FROM billing_customers WHERE tenant_id = $1', [fresh.tenantId])).toEqual([]);
    });

    it('answers 502 when Stripe hangs, leaving the plan as it was', async () => {
      await t.emulatorControl('faults', { count: 10, mode: 'hang', hang_ms: 10_000 });
      const response = await t.request('POST', '/billing/subscription/change', {
        token: owner.apiKey,
        body: { plan_id: 'pro' },
      });
      expect([response.status, response.body.error.code]).toEqual([502, 'stripe_unavailable']);
      await t.emulatorControl('faults', { count: 0 });
      expect((await t.request('GET', '/billing/status', { token: owner.apiKey })).body.plan.id).toBe('starter');
    });
  });
});

describe('ENABLE_BILLING=false', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it.each(OWNER_ADMIN_ROUTES)('answers %s with 503 billing_disabled', async (path, body) => {
    const { apiKey } = await t.createTenant();
    const response = await t.request('POST', path, { token: apiKey, body });
    expect([response.status, response.body.error.code]).toEqual([503, 'billing_disabled']);
  });

  it('has no webhook route', async () => {
    expect((await t.request('POST', '/billing/webhook', { body: {} })).status).toBe(404);
  });

  it('still lists plans and reports every tenant on the free plan', async () => {
    const { apiKey } = await t.createTenant();
    expect((await t.request('GET', '/billing/plans')).status).toBe(200);
    expect((await t.request('GET', '/billing/status', { token: apiKey })).body).toMatchObject({
      plan: { id: 'free' },
      source: 'free',
    });
  });
});
