import Stripe from 'stripe';
import { RejectedWebhookAudit } from '../../src/billing/webhooks/rejected-webhook-audit.js';
import { WEBHOOK_TIMINGS, type WebhookTimings } from '../../src/billing/webhooks/webhook-timings.js';
import { type BillingTestApp, startBillingApp } from '../support/billing-app.js';
import { stripeEvent } from '../support/stripe-webhooks.js';

const OLD_SECRET = 'whsec_oldsecretoldsecretoldsecret00';

describe('Stripe webhooks', () => {
  let t: BillingTestApp;
  const sdk = new Stripe('sk_test_unused');
  beforeAll(async () => {
    // Rotation: the app is configured with the new secret and the old one. Behind a proxy, so each
    // test can send from an address of its own (X-Forwarded-For).
    t = await startBillingApp({ TRUST_PROXY: 'true' }, { extraWebhookSecrets: [OLD_SECRET] });
  });
  afterAll(() => t.close());

  /** The address deliveries come from (TRUST_PROXY is on): a refusal test takes one of its own. */
  let source = '127.0.0.1';
  let sources = 0;
  const deliver = (payload: string, secret = t.webhookSecret, timestamp?: number, signature?: string) =>
    t.request('POST', '/billing/webhook', {
      rawBody: payload,
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': source,
        'stripe-signature': signature ?? sdk.webhooks.generateTestHeaderString({ payload, secret, timestamp }),
      },
    });
  /** Refused deliveries counted in the metric, by reason, and all together. */
  const refusals = async () => {
    const text = (await t.request('GET', '/metrics')).body as string;
    const byReason: Partial<Record<'missing' | 'invalid' | 'expired', number>> = {};
    for (const [, reason, n] of text.matchAll(/^stripe_webhook_signature_failures_total\{reason="(\w+)"\} (\d+)$/gm))
      byReason[reason as keyof typeof byReason] = Number(n);
    return { ...byReason, all: Object.values(byReason).reduce((sum, n) => sum + n, 0) };
  };
  const auditedFrom = (source: string) =>
    t.query<{ metadata: { count: number; reasons: Record<string, number> } }>(
      "SELECT metadata FROM audit_events WHERE action = 'webhook.signature_failed' AND metadata->>'source' = $1 ORDER BY id",
      [source],
    );
  const stored = async (id: string) =>
    (await t.query('SELECT status, last_error, attempts FROM stripe_events WHERE id = $1', [id]))[0];

  it('stores a signed event before answering 200, and a repeat changes nothing', async () => {
    const body = JSON.stringify(stripeEvent());
    const first = await deliver(body);
    const again = await deliver(body);
    expect([first.status, first.body.duplicate, again.status, again.body.duplicate]).toEqual([200, false, 200, true]);
    expect(await t.query('SELECT count(*)::int AS n FROM stripe_events WHERE id = $1', [JSON.parse(body).id])).toEqual([
      { n: 1 },
    ]);
  });

  it('answers 503 when the event cannot be stored, so Stripe retries', async () => {
    await t.query(
      `CREATE FUNCTION refuse_events() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'database unavailable'; END $$`,
    );
    await t.query(
      'CREATE TRIGGER refuse_events BEFORE INSERT ON stripe_events FOR EACH ROW EXECUTE FUNCTION refuse_events()',
    );
    try {
      const body = stripeEvent();
      const response = await deliver(JSON.stringify(body));
      expect([response.status, response.body.error.code]).toEqual([503, 'service_unavailable']);
      expect(JSON.stringify(response.body)).not.toContain('database unavailable');
    } finally {
      await t.query('DROP TRIGGER refuse_events ON stripe_events');
      await t.query('DROP FUNCTION refuse_events');
    }
  });

  it('records an unknown type as ignored', async () => {
    const body = stripeEvent({ type: 'customer.tax_id.created' });
    await deliver(JSON.stringify(body));
    await t.settle();
    expect((await stored(body.id)).status).toBe('ignored');
  });

  it('labels metrics with the types it handles and `other`, whatever type a signed sender invents', async () => {
    const invented = `made.up.${Math.random().toString(36).slice(2)}`;
    const body = stripeEvent({ type: invented });
    await deliver(JSON.stringify(body));
    await t.settle();
    expect((await stored(body.id)).status).toBe('ignored');
    const metrics = (await t.request('GET', '/metrics')).body as string;
    expect(metrics).not.toContain(invented);
    expect(metrics).toMatch(/stripe_webhook_events_received_total\{type="other",duplicate="false"\} \d+/);
  });

  it.each([
    [
      'a tampered body',
      (payload: string) =>
        deliver(
          payload.replace('prod_x', 'prod_y'),
          undefined,
          undefined,
          sdk.webhooks.generateTestHeaderString({ payload, secret: t.webhookSecret }),
        ),
    ],
    ['a wrong secret', (payload: string) => deliver(payload, 'whsec_wrongwrongwrongwrong')],
    [
      'a timestamp over 300 s old',
      (payload: string) => deliver(payload, undefined, Math.floor(Date.now() / 1000) - 301),
    ],
    [
      'no signature',
      (payload: string) =>
        t.request('POST', '/billing/webhook', {
          rawBody: payload,
          headers: { 'content-type': 'application/json', 'x-forwarded-for': source },
        }),
    ],
  ])('refuses %s with 400 invalid_signature, storing nothing', async (_name, send) => {
    source = `192.0.2.${++sources}`;
    onTestFinished(() => void (source = '127.0.0.1'));
    const body = stripeEvent();
    const before = (await refusals()).all;
    const response = await send(JSON.stringify(body));
    expect([response.status, response.body.error.code]).toEqual([400, 'invalid_signature']);
    expect(await stored(body.id)).toBeUndefined();
    expect((await refusals()).all).toBe(before + 1);
    await vi.waitFor(async () => expect((await auditedFrom(source)).map((row) => row.metadata.count)).toEqual([1]));
  });

  describe('audit of refused deliveries', () => {
    const from = (source: string, kind: 'missing' | 'invalid' | 'expired') => {
      const payload = JSON.stringify(stripeEvent());
      const signature =
        kind === 'invalid'
          ? sdk.webhooks.generateTestHeaderString({ payload, secret: 'whsec_wrongwrongwrongwrong' })
          : sdk.webhooks.generateTestHeaderString({
              payload,
              secret: t.webhookSecret,
              timestamp: Math.floor(Date.now() / 1000) - 301,
            });
      return t.request('POST', '/billing/webhook', {
        rawBody: payload,
        headers: {
          'content-type': 'application/json',
          'x-forwarded-for': source,
          ...(kind === 'missing' ? {} : { 'stripe-signature': signature }),
        },
      });
    };
    const flood = async (source: string, each: number) => {
      const responses = [];
      for (const kind of ['missing', 'invalid', 'expired'] as const)
        responses.push(...(await Promise.all(Array.from({ length: each }, () => from(source, kind)))));
      return responses.map((r) => r.status);
    };

    it('writes one row per source a minute, the first at once and the rest as a count; the metric counts each', async () => {
      const before = await refusals();
      expect(await flood('203.0.113.7', 20)).toEqual(Array(60).fill(400));
      const after = await refusals();
      expect(after).toMatchObject({
        all: before.all + 60,
        missing: (before.missing ?? 0) + 20,
        invalid: (before.invalid ?? 0) + 20,
        expired: (before.expired ?? 0) + 20,
      });
      await vi.waitFor(async () =>
        expect((await auditedFrom('203.0.113.7')).map((row) => row.metadata.count)).toEqual([1]),
      );
      // Another address has a row of its own.
      await from('198.51.100.9', 'missing');
      await vi.waitFor(async () => expect(await auditedFrom('198.51.100.9')).toHaveLength(1));

      // A minute later (compressed), the rest arrive as one summary.
      const timings = t.app.get<WebhookTimings>(WEBHOOK_TIMINGS);
      const window = timings.rejectionAuditWindowMs;
      timings.rejectionAuditWindowMs = 50;
      onTestFinished(() => void (timings.rejectionAuditWindowMs = window));
      await vi.waitFor(async () => expect(await auditedFrom('203.0.113.7')).toHaveLength(2), { timeout: 5_000 });
      const [first, summary] = await auditedFrom('203.0.113.7');
      expect(summary.metadata).toMatchObject({ count: 59 });
      const reasons = (row: typeof first) => row.metadata.reasons;
      for (const reason of ['missing', 'invalid', 'expired'])
        expect((reasons(first)[reason] ?? 0) + (reasons(summary)[reason] ?? 0)).toBe(20);
    });

    it('writes what is still counted at shutdown', async () => {
      expect(await flood('192.0.2.44', 3)).toEqual(Array(9).fill(400));
      await vi.waitFor(async () => expect(await auditedFrom('192.0.2.44')).toHaveLength(1));
      const audit = t.app.get(RejectedWebhookAudit);
      await audit.beforeApplicationShutdown();
      audit.onApplicationBootstrap();
      expect((await auditedFrom('192.0.2.44')).map((row) => row.metadata.count)).toEqual([1, 8]);
    });
    it('writes at most a hundred rows a minute however many addresses a flood comes from; an IPv6 /64 is one source', async () => {
      for (const address of ['2001:db8:7:7::1', '2001:db8:7:7:ffff::2']) await from(address, 'invalid');
      await vi.waitFor(async () => expect(await auditedFrom('2001:db8:7:7::/64')).toHaveLength(1));
      expect(await auditedFrom('2001:db8:7:7::1')).toHaveLength(0);

      // Last in this file's minute: once a hundred sources have rows, every other shares one.
      const addresses = Array.from({ length: 120 }, (_, i) => `10.20.${Math.floor(i / 250)}.${(i % 250) + 1}`);
      for (const address of addresses) expect((await from(address, 'missing')).status).toBe(400);
      await vi.waitFor(async () => expect((await auditedFrom('other')).length).toBeGreaterThan(0));
      const rows = await t.query<{ source: string }>(
        "SELECT metadata->>'source' AS source FROM audit_events WHERE action = 'webhook.signature_failed' AND metadata->>'source' LIKE '10.20.%'",
      );
      expect(rows.length).toBeLessThanOrEqual(100);
    });
  });

  it('accepts the old secret while rotating', async () => {
    const response = await deliver(JSON.stringify(stripeEvent()), OLD_SECRET);
    expect(response.status).toBe(200);
  });

  it('answers 413 for a body over 1 MiB, storing nothing', async () => {
    const body = stripeEvent({
      data: { object: { id: 'prod_big', object: 'product', description: 'x'.repeat(1_100_000) } },
    });
    const response = await deliver(JSON.stringify(body));
    expect([response.status, response.body.error.code]).toEqual([413, 'payload_too_large']);
    expect(await stored(body.id)).toBeUndefined();
  });

  it('answers 400 for a valid signature over invalid JSON', async () => {
    const payload = '{"id": "evt_broken",';
    const response = await deliver(payload);
    expect(response.status).toBe(400);
  });

  it('records and ignores an event for an env this deployment has no key for', async () => {
    const body = stripeEvent({ livemode: true, type: 'customer.subscription.updated' });
    await deliver(JSON.stringify(body));
    expect(await stored(body.id)).toMatchObject({ status: 'ignored', last_error: expect.stringContaining('live') });
  });

  it('takes the same event delivered 5 times at once exactly once', async () => {
    const body = JSON.stringify(stripeEvent());
    const responses = await Promise.all(Array.from({ length: 5 }, () => deliver(body)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(responses.filter((r) => r.body.duplicate === false)).toHaveLength(1);
  });

  it('fails an event whose subscription names another tenant, writing nothing', async () => {
    const victim = await t.createTenant('Victim');
    const attacker = await t.createTenant('Attacker');
    await t.buy(victim.apiKey, 'starter');
    const victimSubscription = (await t.request('GET', '/billing/status', { token: victim.apiKey })).body.subscription
      .id;
    const forged = stripeEvent({
      type: 'customer.subscription.updated',
      data: {
        object: {
          id: victimSubscription,
          object: 'subscription',
          metadata: { tenant_id: attacker.tenantId, env: 'test' },
        },
      },
    });
    await deliver(JSON.stringify(forged));
    await t.settle();
    expect(await stored(forged.id)).toMatchObject({
      status: 'failed',
      last_error: expect.stringContaining('does not belong'),
    });
    expect((await t.request('GET', '/billing/status', { token: attacker.apiKey })).body.plan.id).toBe('free');
  });

  it('converges on Stripe’s state through a checkout whose events arrive twice and shuffled', async () => {
    await t.emulatorControl('chaos', { duplicate: true, shuffle: true, delay_ms: 30 });
    const { apiKey } = await t.createTenant('Chaos');
    await t.buy(apiKey, 'pro');
    await t.emulatorControl('chaos', {});
    expect((await t.request('GET', '/billing/status', { token: apiKey })).body).toMatchObject({
      plan: { id: 'pro' },
      status: 'active',
    });
    const unsettled = await t.query("SELECT id FROM stripe_events WHERE status NOT IN ('processed', 'ignored')");
    expect(unsettled.filter((row: { id: string }) => !row.id.startsWith('evt_test_'))).toEqual([]);
  });
});
