import { randomUUID } from 'node:crypto';
import { PRICE_LOOKUP_KEYS, type PricedItem } from '../../src/billing/stripe/price-lookup-keys.js';
import { type BillingTestApp, startBillingApp } from '../support/billing-app.js';
import { type ServiceProcess, startService } from '../support/service-process.js';
import { type HttpResult, TEST_JWT_SECRET } from '../support/test-app.js';
import { expectRateLimited } from '../support/rate-limited.js';

const LIMIT = 3;

/** Every route that calls Stripe for the caller's tenant, with a body it accepts. */
const STRIPE_ROUTES: Array<[string, unknown]> = [
  ['/billing/checkout', { plan_id: 'starter' }],
  ['/billing/portal', {}],
  ['/billing/subscription/preview', { plan_id: 'pro' }],
  ['/billing/subscription/change', { plan_id: 'pro' }],
  ['/billing/subscription/cancel', {}],
  ['/billing/subscription/reactivate', undefined],
  ['/billing/payg', { enable: true }],
];

/** RATE_LIMIT_STRIPE_ROUTES_PER_MINUTE: per tenant and env, over every route that calls Stripe, on every instance. */
describe('the per-tenant limit on routes that call Stripe', () => {
  let t: BillingTestApp;
  /** A second instance: the built service in its own process, on the same database and Stripe. */
  let b: ServiceProcess;
  const env = { RATE_LIMIT_STRIPE_ROUTES_PER_MINUTE: String(LIMIT) };
  beforeAll(async () => {
    t = await startBillingApp(env);
    const prices = Object.values(t.emulator.context.store.collection('prices'));
    const priceOf = (item: PricedItem) => String(prices.find((p) => p.lookup_key === PRICE_LOOKUP_KEYS[item])!.id);
    b = await startService({
      ...env,
      STRIPE_PRICE_STARTER: priceOf('starter'),
      STRIPE_PRICE_PRO: priceOf('pro'),
      STRIPE_PRICE_ENTERPRISE: priceOf('enterprise'),
      STRIPE_PRICE_OVERAGE: priceOf('overage'),
      DATABASE_URL: t.databaseUrl,
      JWT_SECRET: TEST_JWT_SECRET,
      STRIPE_SECRET_KEY: t.emulator.secretKey,
      STRIPE_API_BASE: t.emulator.url,
      STRIPE_WEBHOOK_SECRET: t.webhookSecret,
      LOG_LEVEL: 'warn',
    });
    await b.waitForHealth();
  });
  // Windows are the database clock's minutes: a test that straddled one would see its count reset.
  // Each starts with at least 20 s of its minute left, waiting (on that clock) for the next otherwise.
  beforeEach(async () => {
    const secondsLeft = async () =>
      Number((await t.query<{ left: number }>('SELECT 60 - extract(second FROM now())::float8 AS left'))[0].left);
    if ((await secondsLeft()) >= 20) return;
    const [{ minute }] = await t.query<{ minute: Date }>("SELECT date_trunc('minute', now()) AS minute");
    for (;;) {
      const [{ now }] = await t.query<{ now: Date }>("SELECT date_trunc('minute', now()) AS now");
      if (now.getTime() > minute.getTime()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 30_000);
  afterAll(async () => {
    b.child.kill('SIGTERM');
    await b.exited;
    await t.close();
  });

  /** The same request on the second instance. */
  const onB = {
    async request(
      method: string,
      path: string,
      options: { token: string; body?: unknown; headers?: Record<string, string> },
    ) {
      const response = await fetch(`http://127.0.0.1:${b.port}${path}`, {
        method,
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify(options.body ?? {}),
      });
      return { status: response.status, headers: response.headers, body: await response.json() } as HttpResult;
    },
  };
  type App = Pick<BillingTestApp, 'request'> | typeof onB;

  /** A new Checkout session each time, as the owner who made 1,500 did: a fresh Idempotency-Key. */
  const checkout = (app: App, apiKey: string) =>
    app.request('POST', '/billing/checkout', {
      token: apiKey,
      body: { plan_id: 'starter' },
      headers: { 'idempotency-key': randomUUID() },
    });
  const refusals = async () => {
    const metrics = await t.request('GET', '/metrics');
    return Number(/^http_rate_limited_total\{limit="stripe_route"\} (\d+)$/m.exec(metrics.body)?.[1] ?? 0);
  };

  it('refuses a tenant past the limit with 429 rate_limited and Retry-After, whichever instance it asks', async () => {
    const { apiKey, tenantId } = await t.createTenant('Checkout storm');
    const before = await refusals();
    expect((await checkout(t, apiKey)).status).toBe(201);
    expect((await checkout(onB, apiKey)).status).toBe(201);
    expect((await checkout(onB, apiKey)).status).toBe(201);
    expectRateLimited(await checkout(t, apiKey));
    expectRateLimited(await checkout(onB, apiKey));
    expectRateLimited(await checkout(t, apiKey));
    expect(await refusals()).toBe(before + 2);
    // One warning names the tenant when it reaches the limit, not one per refusal.
    const warnings = t.logs.filter((line) => line.includes('"limit":"stripe_route"') && line.includes(tenantId));
    expect(warnings.map((line) => JSON.parse(line).level)).toEqual([40]);
    // Only the Checkout sessions that were allowed reached Stripe.
    const sessions = Object.values(t.emulator.context.store.collection('checkout_sessions')).filter(
      (session) => (session.metadata as Record<string, string> | undefined)?.tenant_id === tenantId,
    );
    expect(sessions).toHaveLength(LIMIT);
  });

  it.each(STRIPE_ROUTES)('counts %s with the others, in one budget per tenant', async (path, body) => {
    const { apiKey } = await t.createTenant('One budget');
    for (let i = 0; i < LIMIT; i++) expect((await checkout(t, apiKey)).status).toBe(201);
    expectRateLimited(await t.request('POST', path, { token: apiKey, body }));
  });

  it('spends the budget on any of them: a tenant past it by portal and previews is refused Checkout', async () => {
    const { apiKey } = await t.createTenant('Mixed');
    for (const [path, body] of STRIPE_ROUTES.slice(1, 1 + LIMIT)) {
      const response = await t.request('POST', path, { token: apiKey, body });
      expect(response.status).not.toBe(429);
    }
    expectRateLimited(await checkout(t, apiKey));
  });

  it('leaves other tenants and the routes that do not call Stripe alone', async () => {
    const busy = await t.createTenant('Busy');
    const quiet = await t.createTenant('Quiet');
    for (let i = 0; i < LIMIT; i++) expect((await checkout(t, busy.apiKey)).status).toBe(201);
    expectRateLimited(await checkout(t, busy.apiKey));
    expect((await t.request('GET', '/billing/status', { token: busy.apiKey })).status).toBe(200);
    expect((await t.request('GET', '/billing/entitlements', { token: busy.apiKey })).status).toBe(200);
    expect((await checkout(onB, quiet.apiKey)).status).toBe(201);
  });

  it('starts each minute afresh', async () => {
    const { apiKey, tenantId } = await t.createTenant('Next minute');
    for (let i = 0; i < LIMIT; i++) expect((await checkout(t, apiKey)).status).toBe(201);
    expectRateLimited(await checkout(t, apiKey));
    // As if the window had passed: the counter's window is a minute older.
    await t.query(
      `UPDATE stripe_route_counters SET window_start = window_start - interval '1 minute' WHERE tenant_id = $1`,
      [tenantId],
    );
    expect((await checkout(onB, apiKey)).status).toBe(201);
  });

  it('does not count callers the route refuses by role', async () => {
    const { apiKey } = await t.createTenant('Roles');
    const member = await t.request('POST', '/tenants/current/api-keys', {
      token: apiKey,
      body: { name: 'viewer', role: 'member' },
    });
    for (let i = 0; i < 2 * LIMIT; i++) {
      const refused = await checkout(t, member.body.key);
      expect([refused.status, refused.body.error.code]).toEqual([403, 'forbidden_role']);
    }
    for (let i = 0; i < LIMIT; i++) expect((await checkout(t, apiKey)).status).toBe(201);
    expectRateLimited(await checkout(t, apiKey));
  });
});
