import { type BillingTestApp, startBillingApp } from '../support/billing-app.js';

const CARD_FAILS_LATER = '4000000000000341';

describe('plan changes, cancel, reactivate, PAYG', () => {
  let t: BillingTestApp;
  beforeAll(async () => {
    t = await startBillingApp();
  });
  afterAll(() => t.close());

  const status = async (apiKey: string) => (await t.request('GET', '/billing/status', { token: apiKey })).body;
  const stripeSubscription = (id: string) => t.emulator.context.store.get('subscriptions', id, 'subscription');
  const subscribed = async (plan = 'starter', card?: string) => {
    const tenant = await t.createTenant();
    await t.buy(tenant.apiKey, plan, card);
    return { ...tenant, subscriptionId: (await status(tenant.apiKey)).subscription.id as string };
  };

  it('charges for an upgrade exactly what the preview said, and switches the plan now', async () => {
    const { apiKey, subscriptionId } = await subscribed('starter');
    await t.emulatorControl('clock/advance', { seconds: 10 * 86_400 });
    const preview = await t.request('POST', '/billing/subscription/preview', {
      token: apiKey,
      body: { plan_id: 'pro' },
    });
    expect(preview.body).toMatchObject({ change: 'upgrade', effective: 'now', next_renewal: { amount: 2999 } });
    expect(preview.body.amount_due_now).toBeGreaterThan(0);
    expect(preview.body.amount_due_now).toBeLessThan(2000);
    const change = await t.request('POST', '/billing/subscription/change', {
      token: apiKey,
      body: { plan_id: 'pro', proration_date: preview.body.proration_date, preview_token: preview.body.preview_token },
    });
    expect(change.body).toEqual({ change: 'upgrade', effective: 'now', plan_id: 'pro' });
    const invoice = t.emulator.context.store.get(
      'invoices',
      stripeSubscription(subscriptionId).latest_invoice,
      'invoice',
    );
    expect([invoice.billing_reason, invoice.status, invoice.amount_paid]).toEqual([
      'subscription_update',
      'paid',
      preview.body.amount_due_now,
    ]);
    expect((await status(apiKey)).plan.id).toBe('pro');
  });

  it('refuses a proration date that no preview signed, so nobody picks their own price', async () => {
    const { apiKey, subscriptionId } = await subscribed('starter');
    const preview = await t.request('POST', '/billing/subscription/preview', {
      token: apiKey,
      body: { plan_id: 'pro' },
    });
    const periodEnd = t.emulator.context.store.get('subscriptions', subscriptionId, 'subscription').items.data[0]
      .current_period_end;
    const attempts = [
      { plan_id: 'pro', proration_date: periodEnd - 60 },
      { plan_id: 'pro', proration_date: periodEnd - 60, preview_token: preview.body.preview_token },
      { plan_id: 'enterprise', proration_date: preview.body.proration_date, preview_token: preview.body.preview_token },
    ];
    for (const body of attempts) {
      const response = await t.request('POST', '/billing/subscription/change', { token: apiKey, body });
      expect([response.status, response.body.error.code]).toEqual([400, 'invalid_preview']);
    }
    expect((await status(apiKey)).plan.id).toBe('starter');
  });

  it('while a downgrade is pending, refuses an upgrade past the plan paid for, and restores that plan for free', async () => {
    const { apiKey, subscriptionId } = await subscribed('pro');
    await t.request('POST', '/billing/subscription/change', { token: apiKey, body: { plan_id: 'starter' } });
    const beyond = await t.request('POST', '/billing/subscription/change', {
      token: apiKey,
      body: { plan_id: 'enterprise' },
    });
    expect([beyond.status, beyond.body.error.code, beyond.body.error.plan_paid_for]).toEqual([
      409,
      'downgrade_pending',
      'pro',
    ]);
    const invoicesBefore = Object.keys(t.emulator.context.store.collection('invoices')).length;
    const restore = await t.request('POST', '/billing/subscription/change', {
      token: apiKey,
      body: { plan_id: 'pro' },
    });
    expect(restore.body).toEqual({ change: 'restore', effective: 'now', plan_id: 'pro' });
    expect(Object.keys(t.emulator.context.store.collection('invoices'))).toHaveLength(invoicesBefore);
    const body = await status(apiKey);
    expect([body.plan.id, body.subscription.pending_downgrade]).toEqual(['pro', null]);
    expect(
      t.emulator.context.store.get('subscriptions', subscriptionId, 'subscription').metadata.downgraded_from,
    ).toBeUndefined();
  });

  it('refuses an upgrade the card declines with 402, changing nothing', async () => {
    const { apiKey, subscriptionId } = await subscribed('starter', CARD_FAILS_LATER);
    const before = structuredClone(stripeSubscription(subscriptionId));
    const change = await t.request('POST', '/billing/subscription/change', {
      token: apiKey,
      body: { plan_id: 'enterprise' },
    });
    expect([change.status, change.body.error.code]).toEqual([402, 'card_declined']);
    expect(stripeSubscription(subscriptionId)).toEqual(before);
    expect((await status(apiKey)).plan.id).toBe('starter');
  });

  it('downgrades at the end of the period: the higher plan stays until then, the next invoice is at the lower price', async () => {
    const { apiKey, subscriptionId } = await subscribed('pro');
    const preview = await t.request('POST', '/billing/subscription/preview', {
      token: apiKey,
      body: { plan_id: 'starter' },
    });
    expect(preview.body).toMatchObject({
      change: 'downgrade',
      effective: 'period_end',
      amount_due_now: 0,
      next_renewal: { amount: 999 },
    });
    const change = await t.request('POST', '/billing/subscription/change', {
      token: apiKey,
      body: { plan_id: 'starter' },
    });
    expect(change.body.effective).toBe('period_end');
    const during = await status(apiKey);
    expect(during.plan.id).toBe('pro');
    expect(during.subscription.pending_downgrade).toMatchObject({ to: 'starter' });
    await t.emulatorControl(`subscriptions/${subscriptionId}/advance`);
    await t.settle();
    const invoice = t.emulator.context.store.get(
      'invoices',
      stripeSubscription(subscriptionId).latest_invoice,
      'invoice',
    );
    expect([invoice.billing_reason, invoice.amount_paid]).toEqual(['subscription_cycle', 999]);
    expect((await status(apiKey)).plan.id).toBe('starter');
  });

  it('treats a change to free as a cancel at period end', async () => {
    const { apiKey, subscriptionId } = await subscribed('starter');
    const change = await t.request('POST', '/billing/subscription/change', {
      token: apiKey,
      body: { plan_id: 'free' },
    });
    expect(change.body).toMatchObject({ canceled: true, at_period_end: true });
    expect(stripeSubscription(subscriptionId).cancel_at_period_end).toBe(true);
    await t.emulatorControl(`subscriptions/${subscriptionId}/advance`);
    await t.settle();
    expect(await status(apiKey)).toMatchObject({ plan: { id: 'free' }, source: 'free' });
  });

  it('cancels at period end by default, and reactivate undoes it', async () => {
    const { apiKey, subscriptionId } = await subscribed('starter');
    const cancel = await t.request('POST', '/billing/subscription/cancel', { token: apiKey, body: {} });
    expect(cancel.body.at_period_end).toBe(true);
    expect((await status(apiKey)).cancel_at_period_end).toBe(true);
    const reactivate = await t.request('POST', '/billing/subscription/reactivate', { token: apiKey, body: {} });
    expect(reactivate.body).toEqual({ reactivated: true });
    expect(stripeSubscription(subscriptionId).cancel_at_period_end).toBe(false);
    expect(await status(apiKey)).toMatchObject({ plan: { id: 'starter' }, cancel_at_period_end: false });
  });

  it('cancels at once when asked, and reactivating then offers a new checkout for the same plan', async () => {
    const { apiKey, subscriptionId } = await subscribed('pro');
    await t.request('POST', '/billing/subscription/cancel', { token: apiKey, body: { at_period_end: false } });
    expect(stripeSubscription(subscriptionId).status).toBe('canceled');
    expect((await status(apiKey)).plan.id).toBe('free');
    const reactivate = await t.request('POST', '/billing/subscription/reactivate', { token: apiKey, body: {} });
    expect(reactivate.body.reactivated).toBe(false);
    const session = t.emulator.context.store.get('checkout_sessions', reactivate.body.session_id, 'checkout.session');
    expect(session.metadata.plan_id).toBe('pro');
  });

  it('turns PAYG on and off as Stripe confirms, by adding and removing the metered price', async () => {
    const { apiKey, subscriptionId } = await subscribed('starter');
    const on = await t.request('POST', '/billing/payg', { token: apiKey, body: { enable: true } });
    expect(on.body).toEqual({ payg_enabled: true });
    const items = () =>
      stripeSubscription(subscriptionId).items.data.map(
        (item: { price: { recurring: { usage_type: string } } }) => item.price.recurring.usage_type,
      );
    expect(items()).toEqual(['licensed', 'metered']);
    expect((await status(apiKey)).payg_enabled).toBe(true);
    const off = await t.request('POST', '/billing/payg', { token: apiKey, body: { enable: false } });
    expect(off.body).toEqual({ payg_enabled: false });
    expect(items()).toEqual(['licensed']);
  });

  it('offers a checkout that includes overage when a tenant without a subscription enables PAYG', async () => {
    const { apiKey } = await t.createTenant();
    const response = await t.request('POST', '/billing/payg', { token: apiKey, body: { enable: true } });
    expect(response.body.payg_enabled).toBe(false);
    const order = t.emulator.context.store.data.checkout_orders[response.body.session_id];
    const metered = order.line_items.map(
      (line) => t.emulator.context.store.get('prices', line.price, 'price').recurring.usage_type,
    );
    expect(metered).toEqual(['metered']);
  });

  it('lets a PAYG-only tenant take a plan with a change, charged now', async () => {
    const { apiKey } = await t.createTenant();
    const checkout = await t.request('POST', '/billing/payg', { token: apiKey, body: { enable: true } });
    await fetch(checkout.body.url, {
      method: 'POST',
      body: new URLSearchParams({ card_number: '4242424242424242' }),
      redirect: 'manual',
    });
    await t.settle();
    expect(await status(apiKey)).toMatchObject({ plan: { id: 'free' }, payg_enabled: true });
    const change = await t.request('POST', '/billing/subscription/change', {
      token: apiKey,
      body: { plan_id: 'starter' },
    });
    expect(change.body).toMatchObject({ change: 'upgrade', plan_id: 'starter' });
    const subscription = t.emulator.context.store.get(
      'subscriptions',
      (await status(apiKey)).subscription.id,
      'subscription',
    );
    expect(
      subscription.items.data
        .map((i: { price: { recurring: { usage_type: string } } }) => i.price.recurring.usage_type)
        .sort(),
    ).toEqual(['licensed', 'metered']);
    expect(
      t.emulator.context.store.get('invoices', subscription.latest_invoice, 'invoice').amount_paid,
    ).toBeGreaterThan(0);
    expect(await status(apiKey)).toMatchObject({ plan: { id: 'starter' }, payg_enabled: true });
  });

  it('keeps the plan on a failed renewal, flags past_due and the payment failure', async () => {
    const { apiKey, subscriptionId } = await subscribed('pro');
    await t.emulatorControl(`subscriptions/${subscriptionId}/advance`, { outcome: 'failure' });
    await t.settle();
    const body = await status(apiKey);
    expect(body).toMatchObject({ plan: { id: 'pro' }, status: 'past_due' });
    expect(body.last_payment_failure.invoice_id).toBe(stripeSubscription(subscriptionId).latest_invoice);
    expect((await t.request('GET', '/metrics')).body).toMatch(/billing_payment_failures_total\{env="test"\} [1-9]/);
  });

  it.each([
    ['/billing/subscription/preview', { plan_id: 'pro' }],
    ['/billing/subscription/change', { plan_id: 'pro' }],
    ['/billing/subscription/cancel', {}],
  ])('answers 409 no_subscription on %s for a tenant without one', async (path, body) => {
    const { apiKey } = await t.createTenant();
    const response = await t.request('POST', path, { token: apiKey, body });
    expect([response.status, response.body.error.code]).toEqual([409, 'no_subscription']);
  });

  it('answers 409 same_plan for a change to the current plan', async () => {
    const { apiKey } = await subscribed('starter');
    const response = await t.request('POST', '/billing/subscription/change', {
      token: apiKey,
      body: { plan_id: 'starter' },
    });
    expect([response.status, response.body.error.code]).toEqual([409, 'same_plan']);
  });

  it('records each action in the audit log', async () => {
    const { apiKey, tenantId } = await subscribed('starter');
    await t.request('POST', '/billing/subscription/change', { token: apiKey, body: { plan_id: 'pro' } });
    await t.request('POST', '/billing/payg', { token: apiKey, body: { enable: true } });
    await t.request('POST', '/billing/subscription/cancel', { token: apiKey, body: {} });
    await t.request('POST', '/billing/subscription/reactivate', { token: apiKey, body: {} });
    const actions = (await t.query('SELECT action FROM audit_events WHERE tenant_id = $1 ORDER BY id', [tenantId])).map(
      (r: { action: string }) => r.action,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'billing.checkout_initiated',
        'billing.plan_change_requested',
        'billing.payg_toggled',
        'billing.subscription_canceled',
        'billing.subscription_reactivated',
        'entitlement.changed',
      ]),
    );
  });
});
