import { randomUUID } from 'node:crypto';
import { StripeEventsRepository } from '../../src/billing/webhooks/stripe-events.repository.js';
import { WebhookProcessor } from '../../src/billing/webhooks/webhook-processor.js';
import { retryDelayMs, WEBHOOK_TIMINGS, type WebhookTimings } from '../../src/billing/webhooks/webhook-timings.js';
import { ClsService } from 'nestjs-cls';
import { type BillingTestApp, startBillingApp } from '../support/billing-app.js';
import { operatorToken } from '../support/metering.js';
import { deliverSigned, stripeEvent } from '../support/stripe-webhooks.js';

/** Applying stored events: exactly once in effect, whatever the order, failures and crashes. */
describe('webhook processing', () => {
  let t: BillingTestApp;
  beforeAll(async () => {
    t = await startBillingApp();
  });
  afterAll(() => t.close());

  /** Compresses the worker's timings for one test; they are restored after it. */
  const withTimings = (changes: Partial<WebhookTimings>) => {
    const timings = t.app.get<WebhookTimings>(WEBHOOK_TIMINGS);
    const saved = { ...timings };
    Object.assign(timings, changes);
    onTestFinished(() => void Object.assign(timings, saved));
  };
  const metric = async (pattern: RegExp) =>
    Number(((await t.request('GET', '/metrics')).body as string).match(pattern)?.[1] ?? 0);

  const status = async (apiKey: string) => (await t.request('GET', '/billing/status', { token: apiKey })).body;
  const deliver = async (type: string, object: Record<string, unknown>) => {
    const event = stripeEvent({ type, data: { object } });
    await deliverSigned(t, JSON.stringify(event), t.webhookSecret);
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

  it('takes back the events of a killed worker after the short lease, costing them no attempt', async () => {
    withTimings({ leaseMs: 3_000 });
    const processor = t.app.get(WebhookProcessor);
    await processor.pause();
    const ids = [
      await deliver('customer.tax_id.created', { id: 'txi_killed_1' }),
      await deliver('customer.tax_id.created', { id: 'txi_killed_2' }),
    ];
    // A worker claims them, then is killed -9: it never finishes, fails or releases them.
    const repository = t.app.get(StripeEventsRepository);
    const claimed = await t.app.get(ClsService).run(() => repository.claim(100, randomUUID(), 3_000));
    expect(claimed.map((e) => e.id)).toEqual(expect.arrayContaining(ids));
    processor.resume();
    await processor.drain();
    for (const id of ids) expect(await stored(id)).toMatchObject({ status: 'pending', attempts: 0 });
    await vi.waitFor(async () => {
      for (const id of ids) expect(await stored(id)).toMatchObject({ status: 'ignored', attempts: 1 });
    }, 15_000);
  });

  it('keeps a long-running event’s lease with its heartbeat: no other worker takes it meanwhile', async () => {
    withTimings({ leaseMs: 2_000, heartbeatMs: 200 });
    const { subscriptionId, snapshot } = await subscribed();
    // The handler's first Stripe read hangs 7 s (then the SDK's retry succeeds): three leases long.
    await t.emulatorControl('faults', { count: 1, mode: 'hang', hang_ms: 7_000 });
    const id = await deliver('customer.subscription.updated', { ...snapshot, id: subscriptionId });
    const leased = async () =>
      (await t.query('SELECT lease_token, next_attempt_at FROM stripe_events WHERE id = $1', [id]))[0];
    const first = await vi.waitFor(async () => {
      const row = await leased();
      expect(row.lease_token).not.toBeNull();
      return row;
    }, 5_000);
    // Until the lease it was claimed with has run out, by the database's clock.
    await vi.waitFor(async () => {
      const [{ over }] = await t.query('SELECT now() > $1 AS over', [first.next_attempt_at]);
      expect(over).toBe(true);
    }, 10_000);
    const rival = await t.app
      .get(ClsService)
      .run(() => t.app.get(StripeEventsRepository).claim(100, randomUUID(), 2_000));
    expect(rival.map((e) => e.id)).not.toContain(id);
    expect((await leased()).lease_token).toBe(first.lease_token);
    await vi.waitFor(async () => expect(await stored(id)).toMatchObject({ status: 'processed', attempts: 1 }), {
      timeout: 20_000,
    });
  });

  it('retries an event failing for a reason of its own for its whole window, however many attempts', async () => {
    const id = await deliver('customer.subscription.updated', {
      id: 'sub_missing',
      object: 'subscription',
      metadata: {},
    });
    await t.settle();
    await t.query('UPDATE stripe_events SET attempts = 40, next_attempt_at = now() WHERE id = $1', [id]);
    await t.settle();
    const failed = await stored(id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 41 });
    // Capped: an hour, not 2^40 seconds.
    expect(new Date(failed.next_attempt_at).getTime()).toBeLessThanOrEqual(Date.now() + 60 * 60_000 + 5_000);
  });

  it('marks an event dead when it fails after its 3-day window, and counts it for alerting', async () => {
    const id = await deliver('customer.subscription.updated', {
      id: 'sub_missing',
      object: 'subscription',
      metadata: {},
    });
    await t.settle();
    expect((await stored(id)).status).toBe('failed');
    await t.query(
      "UPDATE stripe_events SET received_at = now() - interval '3 days 1 minute', next_attempt_at = now() WHERE id = $1",
      [id],
    );
    await t.settle();
    expect(await stored(id)).toMatchObject({ status: 'dead', attempts: 2 });
    const metrics = (await t.request('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/stripe_webhook_events_dead_total\{type="customer.subscription.updated"\} [1-9]/);
    expect(metrics).toMatch(/stripe_webhook_backlog\{status="dead"\} [1-9]/);
    expect(metrics).toContain('stripe_webhook_processing_lag_seconds_bucket');
  });

  it('survives a Stripe outage: pauses for every event, costs none an attempt, and heals by itself', async () => {
    withTimings({ breakerThreshold: 3, probeIntervalMs: 100, stripeRetryMs: 100 });
    const processor = t.app.get(WebhookProcessor);
    const tenants = [await subscribed(), await subscribed(), await subscribed()];
    const updated = (tenant: (typeof tenants)[number]) =>
      deliver('customer.subscription.updated', { ...tenant.snapshot, id: tenant.subscriptionId });
    const all = (ids: string[]) =>
      t.query<{ id: string; status: string; attempts: number; last_error: string | null }>(
        'SELECT id, status, attempts, last_error FROM stripe_events WHERE id = ANY($1) ORDER BY id',
        [ids],
      );
    const probesFailed = () => metric(/stripe_webhook_breaker_probes_total\{result="failed"\} (\d+)/);

    // Stripe answers every call with a 500 until switched back; events keep arriving meanwhile.
    await processor.pause();
    const during: string[] = [];
    for (let i = 0; i < 4; i++) for (const tenant of tenants) during.push(await updated(tenant));
    // One of them arrived 4 days ago: a Stripe outage never makes an event dead, whatever its age.
    await t.query("UPDATE stripe_events SET received_at = now() - interval '4 days' WHERE id = $1", [during[0]]);
    await t.emulatorControl('faults', { count: -1, mode: 'error' });
    processor.resume();

    await vi.waitFor(
      async () => {
        expect(await metric(/^stripe_webhook_breaker_open (\d+)$/m)).toBe(1);
        expect(await t.query('SELECT id FROM stripe_events WHERE lease_token IS NOT NULL')).toEqual([]);
      },
      { timeout: 20_000 },
    );
    const tried = (await all(during)).filter((row) => row.last_error);
    expect(tried.length).toBeGreaterThanOrEqual(3);
    // Paused for every event: one that arrives now is not even tried while the probes keep failing.
    const later = [await updated(tenants[0]), await updated(tenants[1])];
    const probed = await probesFailed();
    await vi.waitFor(async () => expect(await probesFailed()).toBeGreaterThanOrEqual(probed + 2), { timeout: 20_000 });
    expect(await all(later)).toEqual(
      later.sort().map((id) => ({ id, status: 'pending', attempts: 0, last_error: null })),
    );
    for (const row of await all(during)) expect(row).toMatchObject({ status: 'pending', attempts: 0 });

    // Stripe recovers: the worker resumes by itself, no replay and no drain() from here on.
    await t.emulatorControl('faults', { count: 0 });
    await vi.waitFor(
      async () => {
        for (const row of await all([...during, ...later]))
          expect(row).toMatchObject({ status: 'processed', attempts: 1 });
      },
      { timeout: 60_000, interval: 100 },
    );
    expect(await metric(/^stripe_webhook_breaker_open (\d+)$/m)).toBe(0);
    expect(await t.query("SELECT id FROM audit_events WHERE action = 'webhook.replayed'")).toEqual([]);
  }, 90_000);

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
    const claim = () => cls.run(() => repository.claim(4, randomUUID(), 15_000));
    const [first, second] = await Promise.all([claim(), claim()]);
    const ids = [...first, ...second].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
