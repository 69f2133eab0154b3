import { ClsService } from 'nestjs-cls';
import { CompExpiry } from '../../src/billing/comps/comp-expiry.js';
import { compTenant, operatorToken, summarize } from '../support/metering.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('comps', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('gives a comped tenant the plan’s features and limits, says where they come from, and audits it', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    await compTenant(t, tenantId, 'pro', new Date(Date.now() + 86_400_000).toISOString());
    const entitlement = (await t.request('GET', '/billing/entitlements', { token: apiKey })).body;
    expect(entitlement).toMatchObject({
      plan_id: 'pro',
      source: 'comp',
      comped: true,
      comp: { plan_id: 'pro', reason: 'testing' },
      limits: { monthly_characters: 1_000_000 },
    });
    expect((await summarize(t, apiKey, { text: 'Custom.', model: 'legal-v2' })).status).toBe(200);
    const [audit] = await t.query(
      "SELECT actor_type, metadata FROM audit_events WHERE action = 'entitlement.comp_set' AND tenant_id = $1",
      [tenantId],
    );
    expect(audit).toMatchObject({ actor_type: 'operator', metadata: { plan_id: 'pro' } });
    const [changed] = await t.query(
      "SELECT actor_type, metadata FROM audit_events WHERE action = 'entitlement.changed' AND tenant_id = $1",
      [tenantId],
    );
    expect(changed).toMatchObject({ actor_type: 'operator', metadata: { to: { plan: 'pro' } } });
  });

  it('returns the tenant to what Stripe says when the comp is removed', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    const operator = await compTenant(t, tenantId, 'enterprise');
    const removed = await t.request('DELETE', `/admin/tenants/${tenantId}/comp?env=test`, { token: operator });
    expect(removed.body).toMatchObject({ plan_id: 'free', source: 'free', comped: false, comp: null });
    expect((await summarize(t, apiKey, { text: 'Mode.', mode: 'detailed' })).status).toBe(402);
  });

  it('ends at its expiry', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    await compTenant(t, tenantId, 'pro', new Date(Date.now() + 60_000).toISOString());
    await t.query("UPDATE entitlements SET comp_expires_at = now() - interval '1 second' WHERE tenant_id = $1", [
      tenantId,
    ]);
    expect(await t.app.get(ClsService).run(() => t.app.get(CompExpiry).sweep())).toBeGreaterThanOrEqual(1);
    await vi.waitFor(async () =>
      expect((await t.request('GET', '/billing/entitlements', { token: apiKey })).body).toMatchObject({
        plan_id: 'free',
        comped: false,
      }),
    );
  });

  it('refuses the tenant’s own owner, who is not an operator', async () => {
    const token = await t.mintToken('idp|self-comper', 'self@example.com');
    const tenantId = (await t.request('POST', '/tenants', { token, body: { name: 'Self' } })).body.id;
    const response = await t.request('PUT', `/admin/tenants/${tenantId}/comp`, {
      token,
      body: { env: 'test', plan_id: 'enterprise', reason: 'please' },
    });
    expect([response.status, response.body.error.code]).toEqual([403, 'operator_required']);
  });

  it('refuses an operator who belongs to the tenant', async () => {
    const token = await t.mintToken('idp|operator-owner', 'operator-owner@example.com');
    const tenantId = (await t.request('POST', '/tenants', { token, body: { name: 'Mine' } })).body.id;
    await t.query("UPDATE users SET is_operator = true WHERE subject = 'idp|operator-owner'");
    const response = await t.request('PUT', `/admin/tenants/${tenantId}/comp`, {
      token,
      body: { env: 'test', plan_id: 'enterprise', reason: 'please' },
    });
    expect([response.status, response.body.error.code]).toEqual([403, 'cannot_comp_own_tenant']);
    expect(
      (await t.query('SELECT comped FROM entitlements WHERE tenant_id = $1', [tenantId]))[0]?.comped ?? false,
    ).toBe(false);
  });

  describe('an operator who was a member', () => {
    /** An owner's tenant the operator was an admin of until the owner removed them just now. */
    async function leftJustNow(label: string) {
      const owner = await t.mintToken(`idp|owner-${label}`, `owner-${label}@example.com`);
      const tenantId = (await t.request('POST', '/tenants', { token: owner, body: { name: label } })).body.id;
      const email = `operator-${label}@example.com`;
      const operator = await operatorToken(t, `idp|operator-${label}`, email);
      const member = { token: owner, tenantId, body: { email, role: 'admin' } };
      const userId = (await t.request('POST', '/tenants/current/members', member)).body.user_id;
      const removed = await t.request('DELETE', `/tenants/current/members/${userId}`, { token: owner, tenantId });
      expect(removed.status).toBe(204);
      const readd = () => t.request('POST', '/tenants/current/members', member);
      return { tenantId, operator, userId, readd };
    }
    const comp = (tenantId: string, token: string) =>
      t.request('PUT', `/admin/tenants/${tenantId}/comp`, {
        token,
        body: { env: 'test', plan_id: 'enterprise', reason: 'removed, comped, re-added' },
      });
    const comped = async (tenantId: string) =>
      (await t.query('SELECT comped FROM entitlements WHERE tenant_id = $1', [tenantId]))[0]?.comped ?? false;

    it('is refused a comp for 30 days after leaving the tenant, and told until when', async () => {
      const { tenantId, operator, userId, readd } = await leftJustNow('removed');
      const [{ left_at: leftAt }] = await t.query<{ left_at: Date }>(
        'SELECT left_at FROM former_memberships WHERE tenant_id = $1 AND user_id = $2',
        [tenantId, userId],
      );
      const until = new Date(leftAt.getTime() + 30 * 86_400_000).toISOString();
      const refused = await comp(tenantId, operator);
      expect([refused.status, refused.body.error.code]).toEqual([403, 'cannot_comp_own_tenant']);
      expect(refused.body.error.comp_allowed_from).toBe(until);
      expect(refused.body.error.message).toContain('last 30 days');
      expect(refused.body.error.message).toContain(until);
      const uncomp = await t.request('DELETE', `/admin/tenants/${tenantId}/comp?env=test`, { token: operator });
      expect([uncomp.status, uncomp.body.error.code]).toEqual([403, 'cannot_comp_own_tenant']);
      expect((await readd()).status).toBe(201);
      expect(await comped(tenantId)).toBe(false);
    });

    it('may comp a tenant once they left it more than 30 days ago', async () => {
      const { tenantId, operator, userId } = await leftJustNow('long-gone');
      const leftAgo = (interval: string) =>
        t.query('UPDATE former_memberships SET left_at = now() - $3::interval WHERE tenant_id = $1 AND user_id = $2', [
          tenantId,
          userId,
          interval,
        ]);
      await leftAgo('29 days 23 hours');
      expect((await comp(tenantId, operator)).status).toBe(403);
      await leftAgo('30 days 1 minute');
      expect((await comp(tenantId, operator)).status).toBe(200);
      expect(await comped(tenantId)).toBe(true);
    });

    it('is refused again once re-added, even when their earlier membership ended long ago', async () => {
      const { tenantId, operator, userId, readd } = await leftJustNow('returned');
      await t.query(
        "UPDATE former_memberships SET left_at = now() - interval '90 days' WHERE tenant_id = $1 AND user_id = $2",
        [tenantId, userId],
      );
      expect((await readd()).status).toBe(201);
      const refused = await comp(tenantId, operator);
      expect([refused.status, refused.body.error.code]).toEqual([403, 'cannot_comp_own_tenant']);
      expect(refused.body.error).not.toHaveProperty('comp_allowed_from');
    });
  });

  it('validates the comp and answers 404 for an unknown tenant', async () => {
    const { tenantId } = await t.createTenant();
    const operator = await compTenant(t, tenantId, 'starter');
    const bad = await t.request('PUT', `/admin/tenants/${tenantId}/comp`, {
      token: operator,
      body: { env: 'prod', plan_id: 'gold', reason: '' },
    });
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['env', 'plan_id', 'reason']);
    const missing = await t.request('PUT', '/admin/tenants/00000000-0000-4000-8000-000000000000/comp', {
      token: operator,
      body: { env: 'test', plan_id: 'pro', reason: 'who?' },
    });
    expect(missing.status).toBe(404);
  });
});
