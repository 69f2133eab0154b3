import { compTenant, setUsed, summarize } from '../support/metering.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const TEXT =
  'Billing services meter usage. Stripe bills the overage. Quotas reset every month. Rate limits reset every hour.';

describe('metered requests', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const periodStart = async (apiKey: string) =>
    new Date((await t.request('GET', '/usage', { token: apiKey })).body.current.period_start);

  it('summarizes, charges the characters and says so in the headers', async () => {
    const { apiKey } = await t.createTenant();
    const response = await summarize(t, apiKey, { text: TEXT });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ mode: 'brief', characters: TEXT.length });
    expect(response.body.summary.length).toBeGreaterThan(0);
    expect(
      Object.fromEntries(
        [
          'x-credits-total',
          'x-credits-used',
          'x-credits-remaining',
          'x-credits-cost',
          'ratelimit-limit',
          'ratelimit-remaining',
        ].map((h) => [h, response.headers.get(h)]),
      ),
    ).toEqual({
      'x-credits-total': '10000',
      'x-credits-used': String(TEXT.length),
      'x-credits-remaining': String(10_000 - TEXT.length),
      'x-credits-cost': String(TEXT.length),
      'ratelimit-limit': '10',
      'ratelimit-remaining': '9',
    });
    expect(Number(response.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
  });

  it('answers 402 feature_not_in_plan for a mode or a model the plan lacks, charging nothing', async () => {
    const { apiKey } = await t.createTenant();
    const bullets = await summarize(t, apiKey, { text: TEXT, mode: 'bullets' });
    expect([bullets.status, bullets.body.error.code, bullets.body.error.feature, bullets.body.error.plan]).toEqual([
      402,
      'feature_not_in_plan',
      'all_modes',
      'free',
    ]);
    expect(bullets.body.error.upgrade_url).toContain('/billing/plans');
    const model = await summarize(t, apiKey, { text: TEXT, model: 'legal-v2' });
    expect(model.body.error.feature).toBe('custom_models');
    expect((await t.request('GET', '/usage', { token: apiKey })).body.current.used).toBe(0);
  });

  it('grants modes and models with the plan that includes them', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    await compTenant(t, tenantId, 'pro');
    const response = await summarize(t, apiKey, { text: TEXT, mode: 'bullets', model: 'legal-v2' });
    expect(response.status).toBe(200);
    expect(response.body.summary).toMatch(/^- /);
    expect(response.headers.get('x-credits-total')).toBe('1000000');
  });

  it('answers 402 quota_exceeded with limit, used, resets_at and upgrade_url once the quota is used up', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    await setUsed(t, tenantId, 9_990, await periodStart(apiKey));
    const response = await summarize(t, apiKey, { text: TEXT });
    expect(response.status).toBe(402);
    expect(response.body.error).toMatchObject({
      code: 'quota_exceeded',
      limit: 10_000,
      used: 9_990,
      resets_at: expect.any(String),
      upgrade_url: expect.stringContaining('/billing/plans'),
    });
    expect(response.headers.get('x-credits-remaining')).toBe('10');
    expect((await t.request('GET', '/usage', { token: apiKey })).body.current.used).toBe(9_990);
  });

  it('answers 429 rate_limited with Retry-After after the hourly limit', async () => {
    const { apiKey } = await t.createTenant();
    for (let i = 0; i < 10; i++) expect((await summarize(t, apiKey, { text: 'One.' })).status).toBe(200);
    const limited = await summarize(t, apiKey, { text: 'One.' });
    expect([limited.status, limited.body.error.code, limited.body.error.limit]).toEqual([429, 'rate_limited', 10]);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect((await t.request('GET', '/usage', { token: apiKey })).body.current.used).toBe(40);
  });

  it('answers 402 subscription_inactive for a paused subscription', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    await compTenant(t, tenantId, 'starter');
    await t.query("UPDATE entitlements SET status = 'paused' WHERE tenant_id = $1", [tenantId]);
    await t.query("SELECT pg_notify('entitlements_changed', $1)", [`${tenantId}:test`]);
    await vi.waitFor(async () =>
      expect((await summarize(t, apiKey, { text: TEXT })).body.error?.code).toBe('subscription_inactive'),
    );
  });

  it('gives the units back before it answers that the handler failed', async () => {
    const { apiKey } = await t.createTenant();
    const invalid = await summarize(t, apiKey, { text: TEXT, unexpected: true });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toMatchObject({
      code: 'validation_failed',
      details: [{ field: 'unexpected', problems: ['property unexpected should not exist'] }],
    });
    expect((await t.request('GET', '/usage', { token: apiKey })).body.current.used).toBe(0);
    const first = await summarize(t, apiKey, { text: TEXT });
    expect(first.headers.get('ratelimit-remaining')).toBe('9');
  });

  it('reports current and past periods on GET /usage', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    await setUsed(t, tenantId, 1234, new Date('2026-01-01T00:00:00Z'));
    await summarize(t, apiKey, { text: TEXT });
    const usage = (await t.request('GET', '/usage', { token: apiKey })).body;
    expect(usage.current).toMatchObject({ used: TEXT.length, limit: 10_000 });
    expect(usage.periods.map((p: { used: number }) => p.used)).toEqual([TEXT.length, 1234]);
  });

  describe('for services elsewhere', () => {
    it('checks without consuming', async () => {
      const { apiKey } = await t.createTenant();
      const check = await t.request('POST', '/entitlements/check', {
        token: apiKey,
        body: { feature: 'all_modes', meter: 'characters', amount: 10 },
      });
      expect(check.body).toMatchObject({
        allowed: false,
        code: 'feature_not_in_plan',
        limit: 10_000,
        remaining: 10_000,
      });
      const ok = await t.request('POST', '/entitlements/check', {
        token: apiKey,
        body: { meter: 'characters', amount: 10_000 },
      });
      const tooMuch = await t.request('POST', '/entitlements/check', {
        token: apiKey,
        body: { meter: 'characters', amount: 10_001 },
      });
      expect([ok.body.allowed, tooMuch.body.code]).toEqual([true, 'quota_exceeded']);
      expect((await t.request('GET', '/usage', { token: apiKey })).body.current.used).toBe(0);
    });

    it('consumes with the guard’s semantics, once per idempotency key', async () => {
      const { apiKey } = await t.createTenant();
      const body = { meter: 'characters', amount: 500, idempotency_key: 'job-42' };
      const first = await t.request('POST', '/usage/consume', { token: apiKey, body });
      const again = await t.request('POST', '/usage/consume', { token: apiKey, body });
      expect([first.status, first.body.used, again.status, again.body.used]).toEqual([200, 500, 200, 500]);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect((await t.request('GET', '/usage', { token: apiKey })).body.current.used).toBe(500);
      const over = await t.request('POST', '/usage/consume', {
        token: apiKey,
        body: { meter: 'characters', amount: 9_501 },
      });
      expect([over.status, over.body.code]).toEqual([402, 'quota_exceeded']);
    });

    it('rejects an unknown meter or a negative amount', async () => {
      const { apiKey } = await t.createTenant();
      const response = await t.request('POST', '/usage/consume', {
        token: apiKey,
        body: { meter: 'gpus', amount: -1 },
      });
      expect(response.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['amount', 'meter']);
    });
  });
});
