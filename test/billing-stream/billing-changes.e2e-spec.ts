import { ClsService } from 'nestjs-cls';
import { BillingEvents } from '../../src/billing-stream/billing-events.js';
import { startBillingApp, type BillingTestApp } from '../support/billing-app.js';
import { operatorToken } from '../support/metering.js';
import { openStream, type StreamClient } from '../support/sse-client.js';

/** What Stripe-driven changes look like on GET /billing/stream: our events, none of Stripe's noise. */
describe('billing event stream with Stripe', () => {
  let t: BillingTestApp;
  let stream: StreamClient | undefined;
  beforeAll(async () => {
    t = await startBillingApp();
  });
  afterEach(() => stream?.close());
  afterAll(() => t.close());

  const typesOf = (s: StreamClient) => s.events.map((e) => e.type);

  it('tells a front end about a purchase, a cancel and nothing more when Stripe repeats itself', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    stream = openStream(t.baseUrl, apiKey);
    await stream.opened;

    await t.buy(apiKey, 'starter');
    await vi.waitFor(() =>
      expect(typesOf(stream!)).toEqual(
        expect.arrayContaining(['subscription.created', 'invoice.paid', 'entitlement.updated']),
      ),
    );
    const subscription = stream.events.find((e) => e.type === 'subscription.created')!;
    expect(subscription.data).toMatchObject({
      plan_id: 'starter',
      status: 'active',
      cancel_at_period_end: false,
      payg_enabled: false,
    });
    expect(subscription.data.subscription_id).toMatch(/^sub_/);
    const invoice = stream.events.find((e) => e.type === 'invoice.paid')!;
    expect(invoice.data).toMatchObject({ status: 'paid', amount_paid: 999, currency: 'usd' });
    expect(JSON.stringify(invoice.data)).not.toMatch(/"object":|"livemode"/);
    const entitlement = stream.events.filter((e) => e.type === 'entitlement.updated').at(-1)!;
    expect(entitlement.data).toMatchObject({ plan_id: 'starter', source: 'subscription', status: 'active' });
    expect(stream.events.every((e) => e.tenant_id === tenantId && e.env === 'test')).toBe(true);

    const before = stream.events.length;
    expect((await t.request('POST', '/billing/subscription/cancel', { token: apiKey, body: {} })).status).toBe(200);
    await t.settle();
    await vi.waitFor(() =>
      expect(typesOf(stream!).slice(before)).toEqual(
        expect.arrayContaining(['subscription.updated', 'entitlement.updated']),
      ),
    );
    const afterCancel = stream.events.slice(before);
    expect(afterCancel.find((e) => e.type === 'subscription.updated')?.data).toMatchObject({
      cancel_at_period_end: true,
      status: 'active',
    });
    expect(afterCancel.find((e) => e.type === 'entitlement.updated')?.data).toMatchObject({
      plan_id: 'starter',
      cancel_at_period_end: true,
    });

    // Every stored Stripe event (this tenant's among them) processed again: our state does not change, so nothing is sent.
    const operator = await operatorToken(t, 'idp|stream-operator', 'stream-operator@example.com');
    const settled = stream.events.length;
    const stored = await t.query<{ id: string }>("SELECT id FROM stripe_events WHERE status = 'processed'");
    expect(stored.length).toBeGreaterThan(0);
    for (const { id } of stored)
      expect((await t.request('POST', `/admin/webhook-events/${id}/replay`, { token: operator })).status).toBe(202);
    await t.settle();
    // A marker published now arrives after anything the replays committed.
    await t.app
      .get(ClsService)
      .run(() =>
        t.app.get(BillingEvents).publish({ tenantId, env: 'test', type: 'invoice.updated', data: { label: 'marker' } }),
      );
    await vi.waitFor(() => expect(stream!.events.at(-1)?.data.label).toBe('marker'));
    expect(stream.events.length).toBe(settled + 1);
  });

  it('announces a failed payment', async () => {
    const { apiKey } = await t.createTenant();
    await t.buy(apiKey, 'starter');
    const subscriptionId = (await t.request('GET', '/billing/status', { token: apiKey })).body.subscription
      .id as string;
    stream = openStream(t.baseUrl, apiKey);
    await stream.opened;
    await t.emulatorControl(`subscriptions/${subscriptionId}/advance`, { outcome: 'failure' });
    await t.settle();
    await vi.waitFor(() => expect(typesOf(stream!)).toContain('invoice.payment_failed'), { timeout: 5_000 });
    expect(stream.events.find((e) => e.type === 'invoice.payment_failed')!.data).toMatchObject({ amount_due: 999 });
  });
});
