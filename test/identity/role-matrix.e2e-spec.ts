import { startTestApp, type TestApp } from '../support/test-app.js';
import { routeName, TENANT_ROUTES } from '../support/tenant-routes.js';

/** A member calling any owner/admin route gets 403, by API key and by JWT, and nothing changes. */
describe('role matrix', () => {
  let t: TestApp;
  let tenant: { tenantId: string; apiKey: string; memberId: string; apiKeyId: string };
  let memberKey: string;
  let memberToken: string;

  const state = () =>
    t.query(
      `SELECT (SELECT json_agg(m.role ORDER BY m.user_id) FROM memberships m WHERE m.tenant_id = $1) AS roles,
              (SELECT count(*) FROM api_keys k WHERE k.tenant_id = $1 AND k.revoked_at IS NULL) AS keys`,
      [tenant.tenantId],
    );

  beforeAll(async () => {
    t = await startTestApp();
    const created = await t.createTenant('Roles Co');
    const member = await t.request('POST', '/tenants/current/members', {
      token: created.apiKey,
      body: { email: 'rm-member@example.com', role: 'member' },
    });
    const key = await t.request('POST', '/tenants/current/api-keys', {
      token: created.apiKey,
      body: { name: 'member key', role: 'member' },
    });
    tenant = { ...created, memberId: member.body.user_id, apiKeyId: key.body.id };
    memberKey = key.body.key;
    memberToken = await t.mintToken('idp|rm-member', 'rm-member@example.com');
  });
  afterAll(() => t.close());

  const adminRoutes = TENANT_ROUTES.filter((route) => route.adminOnly).map(
    (route) => [routeName(route), route] as const,
  );

  describe.each(adminRoutes)('%s', (_name, route) => {
    it.each([
      ['a member API key', () => ({ token: memberKey })],
      ['a member JWT', () => ({ token: memberToken, tenantId: tenant.tenantId })],
    ])('refuses %s with 403', async (_who, credentials) => {
      const before = await state();
      const response = await t.request(route.method, route.path(tenant), { ...credentials(), body: route.body });
      expect([response.status, response.body.error.code]).toEqual([403, 'forbidden_role']);
      expect(await state()).toEqual(before);
    });
  });

  it('lets a member read their tenant', async () => {
    const response = await t.request('GET', '/tenants/current', { token: memberToken, tenantId: tenant.tenantId });
    expect(response.body.role).toBe('member');
  });
});
