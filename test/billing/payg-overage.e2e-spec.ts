import { DataSource } from 'typeorm';
import { releaseHeldReport } from '../../src/billing/overage/overage-reports.repository.js';
import { OverageReporter } from '../../src/billing/overage/overage-reporter.js';
import { OverageSchedule } from '../../src/billing/overage/overage-schedule.js';
import { type BillingTestApp, startBillingApp } from '../support/billing-app.js';
import { setUsed, summarize } from '../support/metering.js';

describe('PAYG overage', () => {
  let t: BillingTestApp;
  beforeAll(async () => {
    t = await startBillingApp();
    // Every round here is the test's own run(): a scheduled round in between could send a report
    // first and leave the test's round nothing to do (seen as run() returning 0 instead of 1).
    await t.app.get(OverageSchedule).stop();
  });
  afterAll(() => t.close());

  const meterEvents = () => t.emulator.context.store.data.meter_events;
  /** A starter tenant with PAYG on and 100 characters of quota left. */
  const nearlyOut = async () => {
    const tenant = await t.createTenant();
    await t.buy(tenant.apiKey, 'starter');
    expect(
      (await t.request('POST', '/billing/payg', { token: tenant.apiKey, body: { enable: true } })).body.payg_enabled,
    ).toBe(true);
    const periodStart = new Date(
      (await t.request('GET', '/usage', { token: tenant.apiKey })).body.current.period_start,
    );
    await setUsed(t, tenant.tenantId, 100_000 - 100, periodStart);
    return tenant;
  };
  const run = () => t.app.get(OverageReporter).run();
  const makeDue = (id: string) => t.query('UPDATE overage_reports SET next_attempt_at = now() WHERE id = $1', [id]);
  const eventsFor = (identifier: string) => meterEvents().filter((e) => e.identifier === identifier);
  /** Ages the outbox past its settling minute, so the next round reports it. */
  const settleOutbox = () => t.query("UPDATE overage_outbox SET created_at = now() - interval '2 minutes'");
  const report = async () => {
    await settleOutbox();
    return run();
  };
  /** A nearly-out tenant that then sends `text`: the part past the quota is overage. */
  const overageOf = async (text: string) => {
    const tenant = await nearlyOut();
    await summarize(t, tenant.apiKey, { text });
    return tenant;
  };
  /** A reporting round while Stripe answers every call with a 500. */
  const reportDuringOutage = async () => {
    await t.emulatorControl('faults', { count: 50, mode: 'error' });
    const sent = await report();
    await t.emulatorControl('faults', { count: 0 });
    return sent;
  };

  it('lets requests past the quota through and reports exactly the overage to the Stripe meter', async () => {
    const { apiKey, tenantId } = await nearlyOut();
    const over = await summarize(t, apiKey, { text: 'x'.repeat(250) });
    const more = await summarize(t, apiKey, { text: 'y'.repeat(1000) });
    expect([over.status, more.status]).toEqual([200, 200]);
    expect(over.headers.get('x-credits-remaining')).toBe('0');
    const outbox = await t.query('SELECT quantity FROM overage_outbox WHERE tenant_id = $1 ORDER BY id', [tenantId]);
    expect(outbox.map((row: { quantity: string }) => Number(row.quantity))).toEqual([150, 1000]);
    expect(await report()).toBe(1);
    const [sent] = await t.query('SELECT id, quantity, status FROM overage_reports WHERE tenant_id = $1', [tenantId]);
    expect([Number(sent.quantity), sent.status]).toEqual([1150, 'reported']);
    expect(eventsFor(sent.id).map((e) => Number(e.payload.value))).toEqual([1150]);
  });

  it('keeps reports through a Stripe outage and sends each exactly once afterwards', async () => {
    const { apiKey, tenantId } = await nearlyOut();
    await summarize(t, apiKey, { text: 'z'.repeat(600) });
    await t.emulatorControl('faults', { count: 50, mode: 'error' });
    expect(await report()).toBe(0);
    const [failed] = await t.query('SELECT id, status, attempts FROM overage_reports WHERE tenant_id = $1', [tenantId]);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    await t.emulatorControl('faults', { count: 0 });
    await makeDue(failed.id);
    expect(await report()).toBe(1);
    expect(await report()).toBe(0);
    expect(eventsFor(failed.id)).toHaveLength(1);
  });

  it('never reports twice when Stripe took a report the reporter could not record (a crash in between)', async () => {
    const { tenantId } = await overageOf('w'.repeat(300));
    await reportDuringOutage();
    const [pending] = await t.query(
      'SELECT id, stripe_customer_id, quantity FROM overage_reports WHERE tenant_id = $1',
      [tenantId],
    );
    // As if the earlier attempt had reached Stripe before the process died.
    await fetch(`${t.emulator.url}/v1/billing/meter_events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.emulator.secretKey}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        event_name: 'api_characters',
        identifier: pending.id,
        'payload[stripe_customer_id]': pending.stripe_customer_id,
        'payload[value]': String(pending.quantity),
      }),
    });
    await makeDue(pending.id);
    await run();
    expect((await t.query('SELECT status FROM overage_reports WHERE id = $1', [pending.id]))[0].status).toBe(
      'reported',
    );
    expect(eventsFor(pending.id)).toHaveLength(1);
  });

  describe('what Stripe may already have, or would refuse', () => {
    const reportOf = async (id: string) =>
      (await t.query('SELECT status, uncertain_since, last_error FROM overage_reports WHERE id = $1', [id]))[0];
    const heldGauge = async () =>
      Number(/^billing_overage_reports_held (\d+)$/m.exec((await t.request('GET', '/metrics')).body)?.[1]);
    const activeMeter = () => Object.values(t.emulator.context.store.data.meters).find((m) => m.status === 'active')!;
    /** A report whose sending failed with a 500: Stripe may or may not have recorded it. */
    const uncertainReport = async (characters: number) => {
      const { tenantId } = await overageOf('v'.repeat(characters));
      expect(await reportDuringOutage()).toBe(0);
      const [{ id }] = await t.query('SELECT id FROM overage_reports WHERE tenant_id = $1', [tenantId]);
      return { id: id as string, ...(await reportOf(id)) };
    };

    it('holds a report whose attempt may have reached Stripe 23 hours ago, and sends it once an operator finds Stripe has none', async () => {
      const failed = await uncertainReport(400);
      expect(failed.status).toBe('failed');
      expect(failed.uncertain_since).toBeInstanceOf(Date);
      // Stripe forgets the identifier after 24 hours: sending again now could bill it twice.
      await t.query("UPDATE overage_reports SET uncertain_since = now() - interval '23 hours 1 minute' WHERE id = $1", [
        failed.id,
      ]);
      await makeDue(failed.id);
      expect(await run()).toBe(0);
      const held = await reportOf(failed.id);
      expect(held.status).toBe('held');
      expect(held.last_error).toMatch(/^held: an attempt may have reached Stripe/);
      expect(await heldGauge()).toBe(1);
      await makeDue(failed.id);
      expect(await run()).toBe(0);
      expect(eventsFor(failed.id)).toHaveLength(0);

      expect(await releaseHeldReport(t.app.get(DataSource), failed.id, 'resend')).toMatchObject({
        id: failed.id,
        quantity: 300,
      });
      expect(await run()).toBe(1);
      expect(eventsFor(failed.id).map((e) => Number(e.payload.value))).toEqual([300]);
      expect(await heldGauge()).toBe(0);
    });

    it('holds a report older than Stripe accepts; the operator cannot resend it, and marks it reported once billed another way', async () => {
      const failed = await uncertainReport(250);
      await t.query(
        "UPDATE overage_reports SET created_at = now() - interval '34 days 1 hour', uncertain_since = NULL WHERE id = $1",
        [failed.id],
      );
      await makeDue(failed.id);
      expect(await run()).toBe(0);
      expect(await reportOf(failed.id)).toMatchObject({
        status: 'held',
        last_error: expect.stringMatching(/^held: older than 34 days/),
      });

      const dataSource = t.app.get(DataSource);
      await expect(releaseHeldReport(dataSource, failed.id, 'resend')).rejects.toThrow('too old for Stripe');
      expect((await reportOf(failed.id)).status).toBe('held');
      expect(await releaseHeldReport(dataSource, failed.id, 'reported')).toMatchObject({
        id: failed.id,
        quantity: 150,
      });
      expect((await reportOf(failed.id)).status).toBe('reported');
      expect(await run()).toBe(0);
      expect(eventsFor(failed.id)).toHaveLength(0);
      // Only a held report can be released, and only by its id.
      expect(await releaseHeldReport(dataSource, failed.id, 'resend')).toBeUndefined();
      await expect(releaseHeldReport(dataSource, 'not-a-uuid', 'resend')).rejects.toThrow(
        'an overage report id is a UUID',
      );
    });

    it('keeps a report as certain as it was when Stripe refuses it, and sends it once the cause is fixed', async () => {
      const failed = await uncertainReport(200);
      const meter = activeMeter();
      meter.status = 'inactive';
      try {
        await makeDue(failed.id);
        expect(await run()).toBe(0);
        // "No active meter": Stripe recorded nothing, so the attempt adds no doubt.
        expect(await reportOf(failed.id)).toMatchObject({
          status: 'failed',
          uncertain_since: failed.uncertain_since,
          last_error: expect.stringContaining('No active meter'),
        });
        await t.query('UPDATE overage_reports SET uncertain_since = NULL WHERE id = $1', [failed.id]);
        await makeDue(failed.id);
        expect(await run()).toBe(0);
        expect((await reportOf(failed.id)).uncertain_since).toBeNull();
      } finally {
        meter.status = 'active';
      }
      // The meter is back (stripe:setup): the same report goes through, though Stripe refused it before.
      await makeDue(failed.id);
      expect(await run()).toBe(1);
      expect(eventsFor(failed.id)).toHaveLength(1);
    });

    it('lets no late answer overwrite a newer attempt on the same report', async () => {
      const { tenantId } = await overageOf('r'.repeat(180));
      await settleOutbox();
      // Nothing else may take the one slow answer: let the purchase's webhooks finish first.
      await vi.waitFor(
        async () =>
          expect(
            (await t.query("SELECT count(*)::int AS n FROM stripe_events WHERE status IN ('pending', 'failed')"))[0].n,
          ).toBe(0),
        { timeout: 5_000 },
      );
      const meter = activeMeter();
      meter.status = 'inactive';
      await t.emulatorControl('faults', { count: 1, mode: 'hang', hang_ms: 1_200 });
      try {
        // This round claims the report, waits on Stripe (a 500 after 1.2 s), and is refused on the SDK's retry.
        let settled = false;
        const slow = run().finally(() => (settled = true));
        const id = await vi.waitFor(async () => {
          const [claimed] = await t.query('SELECT id FROM overage_reports WHERE tenant_id = $1 AND attempts = 1', [
            tenantId,
          ]);
          expect(claimed).toBeDefined();
          return claimed.id as string;
        });
        // Meanwhile the lease runs out, another instance claims the report, and its attempt times out.
        await t.query(
          "UPDATE overage_reports SET attempts = 2, status = 'failed', uncertain_since = now() - interval '1 minute' WHERE id = $1",
          [id],
        );
        expect(settled).toBe(false);
        await slow;
        // The late refusal must not clear the doubt the newer attempt left.
        const [after] = await t.query('SELECT attempts, uncertain_since FROM overage_reports WHERE id = $1', [id]);
        expect(after.attempts).toBe(2);
        expect(after.uncertain_since).toBeInstanceOf(Date);
      } finally {
        meter.status = 'active';
        await t.emulatorControl('faults', { count: 0 });
      }
    });
  });

  it('lets a caller reuse its own x-request-id without breaking anyone’s requests', async () => {
    const { apiKey } = await nearlyOut();
    const headers = { 'x-request-id': 'same-id-every-time' };
    const responses = await Promise.all([
      summarize(t, apiKey, { text: 'a'.repeat(200) }, headers),
      summarize(t, apiKey, { text: 'b'.repeat(200) }, headers),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
  });

  it('takes back unreported overage before it answers that the handler failed', async () => {
    const { apiKey, tenantId } = await nearlyOut();
    const failed = await summarize(t, apiKey, { text: 'v'.repeat(400), unexpected: true });
    expect(failed.status).toBe(400);
    expect(await t.query('SELECT * FROM overage_outbox WHERE tenant_id = $1', [tenantId])).toEqual([]);
  });

  it('keeps the period’s overage equal to usage past the quota when an earlier request is refunded', async () => {
    const { apiKey, tenantId } = await nearlyOut();
    const first = await summarize(t, apiKey, { text: 'a'.repeat(150), unexpected: true });
    const second = await summarize(t, apiKey, { text: 'b'.repeat(150) });
    expect([first.status, second.status]).toEqual([400, 200]);
    await vi.waitFor(async () => {
      const [{ total }] = await t.query(
        'SELECT coalesce(sum(quantity), 0)::int AS total FROM overage_outbox WHERE tenant_id = $1',
        [tenantId],
      );
      // 100 were left: the refunded request takes nothing, the second one goes 50 past the quota.
      expect(total).toBe(50);
    });
  });

  it('reports and bills the overage on the last invoice when the subscription is canceled now', async () => {
    const { apiKey, tenantId } = await nearlyOut();
    await summarize(t, apiKey, { text: 'c'.repeat(1_100) });
    const subscriptionId = (await t.request('GET', '/billing/status', { token: apiKey })).body.subscription.id;
    const cancel = await t.request('POST', '/billing/subscription/cancel', {
      token: apiKey,
      body: { at_period_end: false },
    });
    expect(cancel.status).toBe(200);
    const [sent] = await t.query('SELECT status, quantity FROM overage_reports WHERE tenant_id = $1', [tenantId]);
    expect([sent.status, Number(sent.quantity)]).toEqual(['reported', 1000]);
    const subscription = t.emulator.context.store.get('subscriptions', subscriptionId, 'subscription');
    const invoice = t.emulator.context.store.get('invoices', subscription.latest_invoice, 'invoice');
    expect(subscription.status).toBe('canceled');
    expect(invoice.lines.data.map((line: { amount: number }) => line.amount)).toEqual([10]);
  });

  it('bills the reported overage on the renewal invoice', async () => {
    const { apiKey } = await nearlyOut();
    await summarize(t, apiKey, { text: 'u'.repeat(2_100) });
    await report();
    const subscriptionId = (await t.request('GET', '/billing/status', { token: apiKey })).body.subscription.id;
    await t.emulatorControl(`subscriptions/${subscriptionId}/advance`);
    const invoice = t.emulator.context.store.get(
      'invoices',
      t.emulator.context.store.get('subscriptions', subscriptionId, 'subscription').latest_invoice,
      'invoice',
    );
    const usageLine = invoice.lines.data.find((line: { description: string }) => line.description.startsWith('Usage'));
    // 2,000 characters over the quota, billed per started 1,000 at 10 cents.
    expect(usageLine.amount).toBe(20);
    expect(invoice.amount_paid).toBe(999 + 20);
  });
});
