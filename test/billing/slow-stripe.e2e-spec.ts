import { ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { BillingRecordsRepository } from '../../src/billing/billing-records.repository.js';
import { BillingService } from '../../src/billing/billing.service.js';
import { StripeGateway } from '../../src/billing/stripe/stripe-gateway.js';
import { pgPool } from '../../src/internals/typeorm-pg-pool.js';
import { type BillingTestApp, startBillingApp } from '../support/billing-app.js';
import { deliverSigned, stripeEvent } from '../support/stripe-webhooks.js';

/** Poll a condition the test is waiting for (a marker, never a sleep of a guessed length). */
async function until<T>(what: string, probe: () => Promise<T> | T, done: (value: T) => boolean): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() - started > 20_000) throw new Error(`still waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('a slow or silent Stripe', () => {
  describe('holds nothing of the database', () => {
    let t: BillingTestApp;
    beforeAll(async () => {
      t = await startBillingApp({}, { stripe: { maxConcurrency: 4 } });
    });
    afterAll(() => t.close());
    afterEach(() => t.emulatorControl('latency', { ms: 0 }));

    const inFlight = async () => (await (await fetch(`${t.emulator.url}/_emulator/latency`)).json()).in_flight;
    const stripeCalls = async (state: string) =>
      Number(
        new RegExp(`^stripe_api_calls\\{state="${state}"\\} (\\d+)$`, 'm').exec(
          (await t.request('GET', '/metrics')).body,
        )?.[1],
      );
    const sync = (tenantId: string, subscriptionId: string) =>
      t.app.get(ClsService).run(() => t.app.get(BillingService).syncSubscription(tenantId, 'test', subscriptionId));
    const subscriptionOf = async (tenantId: string) =>
      (
        await t.query<{ stripe_subscription_id: string; plan_id: string }>(
          'SELECT stripe_subscription_id, plan_id FROM subscriptions WHERE tenant_id = $1',
          [tenantId],
        )
      )[0];

    /** Delivers a signed customer.subscription.updated, as Stripe would: the worker re-reads Stripe for it. */
    const webhookFor = (subscriptionId: string) =>
      deliverSigned(
        t,
        JSON.stringify(
          stripeEvent({
            id: `evt_slow_${subscriptionId}`,
            type: 'customer.subscription.updated',
            data: { object: t.emulator.context.store.collection('subscriptions')[subscriptionId] },
          }),
        ),
        t.webhookSecret,
      );

    it('keeps no pool connection, transaction or lock while syncs, webhooks and plan-change reads wait on Stripe', async () => {
      const { apiKey, tenantId } = await t.createTenant();
      await t.buy(apiKey, 'starter');
      const { stripe_subscription_id: subscriptionId } = await subscriptionOf(tenantId);
      await t.emulatorControl('latency', { ms: 3_000 });
      const syncs = Array.from({ length: 6 }, () => sync(tenantId, subscriptionId));
      const previews = Array.from({ length: 2 }, () =>
        t.request('POST', '/billing/subscription/preview', { token: apiKey, body: { plan_id: 'pro' } }),
      );
      expect((await webhookFor(subscriptionId)).status).toBe(200);
      await until(
        'four calls at Stripe and five waiting',
        async () => [await inFlight(), await stripeCalls('waiting')],
        ([inside, waiting]) => inside === 4 && waiting === 5,
      );

      const pool = pgPool(t.app.get(DataSource));
      expect(pool.totalCount - pool.idleCount).toBe(0);
      const [{ held }] = await t.query<{ held: number }>(
        `SELECT count(*)::int AS held FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`,
      );
      expect(held).toBe(0);
      // The metered path does not wait behind them.
      expect((await t.request('GET', '/usage', { token: apiKey })).status).toBe(200);

      await t.emulatorControl('latency', { ms: 0 });
      const results = await Promise.all(syncs);
      expect(results.map((r) => r.entitlement.planId)).toEqual(Array(6).fill('starter'));
      expect((await Promise.all(previews)).map((r) => r.status)).toEqual([200, 200]);
      await until(
        'the webhook to be applied',
        async () =>
          (await t.query('SELECT status FROM stripe_events WHERE id = $1', [`evt_slow_${subscriptionId}`]))[0]?.status,
        (status) => status === 'processed',
      );
      // Never more than STRIPE_MAX_CONCURRENCY at Stripe at once: the rest waited their turn.
      expect(await inFlight()).toBe(0);
    });

    it('lets no older read that finishes late roll a newer one back', async () => {
      const { apiKey, tenantId } = await t.createTenant();
      await t.buy(apiKey, 'starter');
      const { stripe_subscription_id: subscriptionId } = await subscriptionOf(tenantId);
      const cls = t.app.get(ClsService);
      const records = t.app.get(BillingRecordsRepository);
      const olderTicket = await cls.run(() => records.nextReadTicket());
      const olderRead = await t.app
        .get(StripeGateway)
        .call('subscriptions.retrieve', (stripe) => stripe.subscriptions.retrieve(subscriptionId));

      const change = await t.request('POST', '/billing/subscription/change', {
        token: apiKey,
        body: { plan_id: 'pro' },
      });
      expect(change.status).toBe(200);
      expect((await subscriptionOf(tenantId)).plan_id).toBe('pro');

      await cls.run(() => t.app.get(BillingService).applySubscription(tenantId, 'test', olderRead, olderTicket));
      expect((await subscriptionOf(tenantId)).plan_id).toBe('pro');
      expect((await t.request('GET', '/billing/entitlements', { token: apiKey })).body.plan_id).toBe('pro');
    });
  });

  describe('that loses its answer to a plan change', () => {
    let t: BillingTestApp;
    beforeAll(async () => {
      // A 6 s budget: the first attempt gets about 2 s, the resend and the read-back what is left.
      t = await startBillingApp({}, { stripe: { requestBudgetMs: 6_000 } });
    });
    afterAll(() => t.close());
    afterEach(async () => {
      await t.emulatorControl('latency', { ms: 0 });
      await t.emulatorControl('faults', { count: 0 });
    });

    const audit = async (tenantId: string) =>
      (
        await t.query<{ action: string; metadata: Record<string, unknown> }>(
          'SELECT action, metadata FROM audit_events WHERE tenant_id = $1 ORDER BY id',
          [tenantId],
        )
      ).map((row) => row.action);
    const upgrade = (apiKey: string) =>
      t.request('POST', '/billing/subscription/change', { token: apiKey, body: { plan_id: 'pro' } });
    const stripePlan = async (tenantId: string) => {
      const [{ stripe_subscription_id: id }] = await t.query(
        'SELECT stripe_subscription_id FROM subscriptions WHERE tenant_id = $1',
        [tenantId],
      );
      const subscription = t.emulator.context.store.collection('subscriptions')[id];
      return subscription.items.data.map((item: { price: { lookup_key: string } }) => item.price.lookup_key);
    };

    it('audits the intent first, and makes the change once by sending it again when the first attempt never arrived', async () => {
      const { apiKey, tenantId } = await t.createTenant();
      await t.buy(apiKey, 'starter');
      await t.emulatorControl('faults', { count: 1, mode: 'hang', hang_ms: 3_000, method: 'POST' });
      const change = await upgrade(apiKey);
      expect([change.status, change.body.plan_id]).toEqual([200, 'pro']);
      expect(await stripePlan(tenantId)).toEqual(['plan_pro_monthly']);
      const actions = await audit(tenantId);
      expect(actions.indexOf('billing.stripe_write_requested')).toBeLessThan(
        actions.indexOf('billing.plan_change_requested'),
      );
      // Charged once: one proration invoice, though the write went out twice.
      const [{ stripe_subscription_id: id }] = await t.query(
        'SELECT stripe_subscription_id FROM subscriptions WHERE tenant_id = $1',
        [tenantId],
      );
      const prorations = Object.values(t.emulator.context.store.collection('invoices')).filter(
        (invoice: any) =>
          invoice.parent?.subscription_details?.subscription === id && invoice.billing_reason === 'subscription_update',
      );
      expect(prorations).toHaveLength(1);
    });

    it('answers 202 stripe_outcome_unknown when Stripe is still working on it, and settles it in the background', async () => {
      const { apiKey, tenantId } = await t.createTenant();
      await t.buy(apiKey, 'starter');
      // The write takes 6 s at Stripe and then takes effect: longer than the request may wait.
      await t.emulatorControl('latency', { ms: 6_000, count: 1, method: 'POST' });
      const change = await upgrade(apiKey);
      expect([change.status, change.body.error?.code]).toEqual([202, 'stripe_outcome_unknown']);
      expect(change.body.error.subscription_id).toMatch(/^sub_/);
      expect(await audit(tenantId)).toEqual(
        expect.arrayContaining(['billing.stripe_write_requested', 'billing.stripe_outcome_unknown']),
      );
      expect(await audit(tenantId)).not.toContain('billing.stripe_write_failed');

      const reconciled = await until(
        'the background check to settle the outcome',
        () =>
          t.query<{ metadata: { outcome: string } }>(
            "SELECT metadata FROM audit_events WHERE tenant_id = $1 AND action = 'billing.stripe_outcome_reconciled'",
            [tenantId],
          ),
        (rows) => rows.length > 0,
      );
      expect(reconciled.map((row) => row.metadata.outcome)).toEqual(['applied']);
      expect(await stripePlan(tenantId)).toEqual(['plan_pro_monthly']);
      expect((await t.request('GET', '/billing/entitlements', { token: apiKey })).body.plan_id).toBe('pro');
    });

    it('sends a retry with the same Idempotency-Key to Stripe as the same write', async () => {
      const { apiKey } = await t.createTenant();
      await t.buy(apiKey, 'starter');
      const key = `retry-${Date.now()}`;
      const change = await t.request('POST', '/billing/subscription/change', {
        token: apiKey,
        body: { plan_id: 'pro' },
        headers: { 'idempotency-key': key },
      });
      expect(change.status).toBe(200);
      const keys = Object.keys(t.emulator.context.store.data.idempotency);
      expect(keys.filter((k) => k.startsWith('plan-change:') && k.endsWith(`:${key}`))).toHaveLength(1);
    });

    it('answers a coded error, never a hung request, when Stripe hangs before anything is sent', async () => {
      const { apiKey, tenantId } = await t.createTenant();
      await t.buy(apiKey, 'starter');
      await t.emulatorControl('faults', { count: 10, mode: 'hang', hang_ms: 20_000, method: 'GET' });
      const change = await upgrade(apiKey);
      // The plan item is read before anything is written: nothing was sent, so nothing changed.
      expect([change.status, change.body.error?.code]).toEqual([502, 'stripe_unavailable']);
      expect(await stripePlan(tenantId)).toEqual(['plan_starter_monthly']);
      expect(await audit(tenantId)).not.toContain('billing.stripe_write_requested');
    });
  });
});
