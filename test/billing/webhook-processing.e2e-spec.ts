import Stripe from 'stripe';
import { StripeEventsRepository } from '../../src/billing/webhooks/stripe-events.repository.js';
import { MAX_ATTEMPTS, retryDelayMs } from '../../src/billing/webhooks/webhook-processor.js';
import { ClsService } from 'nestjs-cls';
import { type BillingTestApp, startBillingApp } from '../support/billing-app.js';
import { operatorToken } from '../support/metering.js';

/** Applying stored events: exactly once in effect, whatever the order, failures and crashes. */
describe('webhook processing', () => {
  let t: BillingTestApp;
  const sdk = new Stripe('sk_test_unused');
  beforeAll(async () => {
    t = await startBillingApp();
  });
  afterAll(() => t.close());

  const status = async (apiKey: string) => (await t.request('GET', '/billing/status', { token: apiKey })).body;
  const deliver = async (type: string, object: Record<string, unknown>) => {
    const event = {
      id: `evt_test_${Math.random().toString(36).slice(2)}`,
      object: 'event',
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      type,
      data: { object },
    };
    const payload = JSON.stringify(event);
    await t.request('POST', '/billing/webhook', {
      rawBody: payload,
      headers: {
        'content-type': 'application/json',
        'stripe-signature': sdk.webhooks.generateTestHeaderString({ payload, secret: t.webhookSecret }),
      },
    });
    return event.id;
  };
  const stored = async (id: string) =>
    (await t.query('SELECT status, attempts, last_error, next_attempt_at FROM stripe_events WHERE id = $1', [id]))[0];
  const subscribed = async (plan = 'starter') => {
    const tenant = await t.createTenant();
    await t.buy(tenant.apiKey, plan);
    const subscriptionId = (await status(tenant.apiKey)).subscription.id as string;
    return {
      ...tenant,
      subscriptionId,
      snapshot: structuredClone(t.emulator.context.store.get('subscriptions', subscriptionId, 'subscription')),
    };
  };

  it('processes every type a real checkout, cancel and failed renewal produce', async () => {
    const a = await subscribed('pro');
    await t.emulatorControl(`subscriptions/${a.subscriptionId}/advance`, { outcome: 'failure' });
    const b = await subscribed('starter');
    await t.request('POST', '/billing/subscription/cancel', { token: b.apiKey, body: { at_period_end: false } });
    await t.settle();
    const rows = await t.query(
      "SELECT DISTINCT type FROM stripe_events WHERE status = 'processed' AND id NOT LIKE 'evt_test_%' ORDER BY type",
    );
    expect(rows.map((r: { type: string }) => r.type)).toEqual(
      expect.arrayContaining([
        'checkout.session.completed',
        'customer.subscription.created',
        'customer.subscription.deleted',
        'customer.subscription.updated',
        'invoice.paid',
        'invoice.payment_failed',
      ]),
    );
  });

  it.each(['customer.subscription.paused', 'customer.subscription.resumed'])(
    'processes %s by re-reading the subscription',
    async (type) => {
      const { subscriptionId, snapshot } = await subscribed();
      const id = await deliver(type, { ...snapshot, id: subscriptionId });
      await t.settle();
      expect((await stored(id)).status).toBe('processed');
    },
  );

  it('processes invoice.payment_action_required as a payment problem', async () => {
    const { apiKey, snapshot } = await subscribed();
    const invoice = t.emulator.context.store.get('invoices', snapshot.latest_invoice, 'invoice');
    const id = await deliver('invoice.payment_action_required', invoice);
    await t.settle();
    expect((await stored(id)).status).toBe('processed');
    expect((await status(apiKey)).last_payment_failure.invoice_id).toBe(invoice.id);
  });

  it('never rolls back: an older "active" snapshot after the deletion leaves the tenant on free', async () => {
    const { apiKey, subscriptionId, snapshot } = await subscribed('pro');
    await t.request('POST', '/billing/subscription/cancel', { token: apiKey, body: { at_period_end: false } });
    await t.settle();
    await deliver('customer.subscription.updated', snapshot);
    await t.settle();
    expect(t.emulator.context.store.get('subscriptions', subscriptionId, 'subscription').status).toBe('canceled');
    expect((await status(apiKey)).plan.id).toBe('free');
  });

  it('converges when "updated" arrives before "created", and a stale event after a newer one', async () => {
    const { apiKey, snapshot } = await subscribed('starter');
    await t.request('POST', '/billing/subscription/change', { token: apiKey, body: { plan_id: 'pro' } });
    await deliver('customer.subscription.updated', snapshot);
    await deliver('customer.subscription.created', snapshot);
    await t.settle();
    expect((await status(apiKey)).plan.id).toBe('pro');
  });

  it('keeps an event through a database error and applies it on retry, after the backoff', async () => {
    const { apiKey, subscriptionId, snapshot } = await subscribed('starter');
    await t.query(
      `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk on fire'; END $$`,
    );
    await t.query('CREATE TRIGGER refuse_writes BEFORE UPDATE ON subscriptions FOR EACH ROW EXECUTE FUNCTION refuse()');
    t.emulator.context.store.get('subscriptions', subscriptionId, 'subscription').cancel_at_period_end = true;
    const id = await deliver('customer.subscription.updated', snapshot);
    await t.settle();
    const failed = await stored(id);
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: expect.stringContaining('disk on fire'),
    });
    expect(new Date(failed.next_attempt_at).getTime()).toBeGreaterThan(Date.now() + retryDelayMs(1) / 2);
    await t.query('DROP TRIGGER refuse_writes ON subscriptions');
    await t.query('DROP FUNCTION refuse');
    await t.query('UPDATE stripe_events SET next_attempt_at = now() WHERE id = $1', [id]);
    await t.settle();
    expect(await stored(id)).toMatchObject({ status: 'processed', attempts: 2 });
    expect((await status(apiKey)).cancel_at_period_end).toBe(true);
  });

  it('picks up an event whose worker died mid-processing once its lease runs out', async () => {
    const { subscriptionId, snapshot } = await subscribed();
    const id = await deliver('customer.subscription.updated', { ...snapshot, id: subscriptionId });
    await t.settle();
    // As a worker leaves it when it claims the event and dies: its transaction rolled back, its lease still running.
    await t.query(
      "UPDATE stripe_events SET status = 'pending', attempts = 1, processed_at = NULL, next_attempt_at = now() + interval '2 minutes' WHERE id = $1",
      [id],
    );
    await t.settle();
    expect((await stored(id)).status).toBe('pending');
    await t.query("UPDATE stripe_events SET next_attempt_at = now() - interval '1 second' WHERE id = $1", [id]);
    await t.settle();
    expect(await stored(id)).toMatchObject({ status: 'processed', attempts: 2 });
  });

  it('marks an event dead after its last attempt, and counts it for alerting', async () => {
    const id = await deliver('customer.subscription.updated', {
      id: 'sub_missing',
      object: 'subscription',
      metadata: {},
    });
    await t.settle();
    expect((await stored(id)).status).toBe('failed');
    await t.query('UPDATE stripe_events SET attempts = $2 - 1, next_attempt_at = now() WHERE id = $1', [
      id,
      MAX_ATTEMPTS,
    ]);
    await t.settle();
    expect(await stored(id)).toMatchObject({ status: 'dead', attempts: MAX_ATTEMPTS });
    const metrics = (await t.request('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/stripe_webhook_events_dead_total\{type="customer.subscription.updated"\} [1-9]/);
    expect(metrics).toMatch(/stripe_webhook_backlog\{status="dead"\} [1-9]/);
    expect(metrics).toContain('stripe_webhook_processing_lag_seconds_bucket');
  });

  describe('operators', () => {
    let operator: string;
    beforeAll(async () => {
      operator = await operatorToken(t, 'idp|operator', 'ops@example.com');
    });

    it('lists failed events and replays one; replaying a processed event changes nothing', async () => {
      const { apiKey, subscriptionId } = await subscribed('pro');
      const failedId = await deliver('customer.subscription.updated', {
        id: 'sub_nobody',
        object: 'subscription',
        metadata: {},
      });
      await t.settle();
      const list = await t.request('GET', '/admin/webhook-events?status=failed', { token: operator });
      expect(list.body.map((e: { id: string }) => e.id)).toContain(failedId);
      const [processed] = await t.query(
        "SELECT id FROM stripe_events WHERE type = 'checkout.session.completed' AND status = 'processed' AND payload LIKE '%' || $1 || '%'",
        [subscriptionId],
      );
      const before = await status(apiKey);
      const replay = await t.request('POST', `/admin/webhook-events/${processed.id}/replay`, { token: operator });
      expect([replay.status, replay.body.replayed]).toEqual([202, [processed.id]]);
      await t.settle();
      expect((await stored(processed.id)).status).toBe('processed');
      expect(await status(apiKey)).toEqual(before);
    });

    it('refuses non-operators, including tenant owners', async () => {
      const { apiKey } = await t.createTenant();
      expect((await t.request('GET', '/admin/webhook-events', { token: apiKey })).status).toBe(403);
      const owner = await t.mintToken('idp|not-operator', 'not-operator@example.com');
      expect((await t.request('POST', '/admin/webhook-events/evt_x/replay', { token: owner })).status).toBe(403);
    });

    it('answers 404 for an unknown event and 400 for a malformed id', async () => {
      expect((await t.request('POST', '/admin/webhook-events/evt_unknown/replay', { token: operator })).status).toBe(
        404,
      );
      expect((await t.request('POST', '/admin/webhook-events/not-an-event/replay', { token: operator })).status).toBe(
        400,
      );
    });
  });

  it('the repository claims each due event once, even when two workers ask at the same moment', async () => {
    for (let i = 0; i < 6; i++) await deliver('customer.tax_id.created', { id: `txi_${i}` });
    await t.query(
      "UPDATE stripe_events SET status = 'pending', next_attempt_at = now() WHERE type = 'customer.tax_id.created'",
    );
    const repository = t.app.get(StripeEventsRepository);
    const cls = t.app.get(ClsService);
    const [first, second] = await Promise.all([cls.run(() => repository.claim(4)), cls.run(() => repository.claim(4))]);
    const ids = [...first, ...second].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
