import { ClsService } from 'nestjs-cls';
import { BillingRecordsRepository, newestFirst } from '../../src/billing/billing-records.repository.js';
import { BillingService } from '../../src/billing/billing.service.js';
import { startBillingApp, type BillingTestApp } from '../support/billing-app.js';

/** Which subscription decides the plan, and who the audit log says changed it. */
describe('subscription sync', () => {
  let t: BillingTestApp;
  beforeAll(async () => {
    t = await startBillingApp();
  });
  afterAll(() => t.close());

  const entitlement = async (apiKey: string) =>
    (await t.request('GET', '/billing/entitlements', { token: apiKey })).body;

  it('keeps a live subscription deciding the plan behind twenty newer dead ones, whichever path recomputes', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    await t.buy(apiKey, 'starter');
    const [live] = await t.query<{
      stripe_subscription_id: string;
      stripe_customer_id: string;
      stripe_created: string;
    }>('SELECT * FROM subscriptions WHERE tenant_id = $1', [tenantId]);
    await t.query(
      `INSERT INTO subscriptions (stripe_subscription_id, tenant_id, env, stripe_customer_id, status, plan_id, stripe_created)
       SELECT 'sub_dead_' || n, $1, 'test', $2, 'incomplete_expired', 'pro', $3::bigint + n FROM generate_series(1, 20) AS n`,
      [tenantId, live.stripe_customer_id, live.stripe_created],
    );
    await t.app.get(ClsService).run(() => t.app.get(BillingService).recomputeEntitlement(tenantId, 'test'));
    expect(await entitlement(apiKey)).toMatchObject({ plan_id: 'starter', status: 'active', source: 'subscription' });
    // A sync of the live subscription (a webhook or an API action) must agree.
    expect((await t.request('POST', '/billing/subscription/cancel', { token: apiKey, body: {} })).status).toBe(200);
    await t.settle();
    expect(await entitlement(apiKey)).toMatchObject({
      plan_id: 'starter',
      status: 'active',
      cancel_at_period_end: true,
    });
    expect((await t.request('GET', '/billing/status', { token: apiKey })).body.subscription.id).toBe(
      live.stripe_subscription_id,
    );
  });

  it('orders subscriptions that Stripe created in the same second as the sync does, whatever the column’s collation', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    await t.buy(apiKey, 'starter');
    const [live] = await t.query<{ stripe_customer_id: string; stripe_created: string }>(
      'SELECT * FROM subscriptions WHERE tenant_id = $1',
      [tenantId],
    );
    await t.query(
      `INSERT INTO subscriptions (stripe_subscription_id, tenant_id, env, stripe_customer_id, status, plan_id, stripe_created)
       SELECT id, $1, 'test', $2, 'incomplete_expired', 'pro', $3::bigint + 10 FROM unnest(ARRAY['sub_tie_a', 'sub_tie_B', 'sub_tie_c']) AS id`,
      [tenantId, live.stripe_customer_id, live.stripe_created],
    );
    // A linguistic collation puts sub_tie_a before sub_tie_B; byte order (and JavaScript's <) the other way.
    await t.query('ALTER TABLE subscriptions ALTER COLUMN stripe_subscription_id TYPE text COLLATE "und-x-icu"');
    try {
      const fromSql = await t.app
        .get(ClsService)
        .run(() => t.app.get(BillingRecordsRepository).recentSubscriptions(tenantId, 'test'));
      const ids = fromSql.map((s) => s.stripeSubscriptionId);
      expect(ids.slice(0, 3)).toEqual(['sub_tie_c', 'sub_tie_a', 'sub_tie_B']);
      expect([...fromSql].sort(newestFirst).map((s) => s.stripeSubscriptionId)).toEqual(ids);
    } finally {
      await t.query('ALTER TABLE subscriptions ALTER COLUMN stripe_subscription_id TYPE text COLLATE "default"');
    }
  });

  it('records a change Stripe caused with no actor id, even during a user’s request', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    await t.buy(apiKey, 'starter');
    expect((await t.request('POST', '/billing/payg', { token: apiKey, body: { enable: true } })).status).toBe(200);
    await t.settle();
    const rows = await t.query<{ actor_type: string; actor_id: string | null }>(
      "SELECT actor_type, actor_id FROM audit_events WHERE tenant_id = $1 AND action = 'entitlement.changed' ORDER BY id",
      [tenantId],
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) expect(row).toEqual({ actor_type: 'stripe', actor_id: null });
    const [toggled] = await t.query<{ actor_type: string; actor_id: string }>(
      "SELECT actor_type, actor_id FROM audit_events WHERE tenant_id = $1 AND action = 'billing.payg_toggled'",
      [tenantId],
    );
    expect(toggled.actor_type).toBe('api_key');
    expect(toggled.actor_id).not.toBeNull();
  });
});
