import { startTestApp, type TestApp } from '../support/test-app.js';
import { routeName, TENANT_ROUTES } from '../support/tenant-routes.js';

/** Another tenant's credentials never read or change this tenant's data, on any tenant-scoped route. */
describe('tenant isolation', () => {
  let t: TestApp;
  let victim: { tenantId: string; apiKey: string; memberId: string; apiKeyId: string };
  let attackerKey: string;
  let attackerToken: string;

  const victimState = () =>
    t.query(
      `SELECT (SELECT json_agg(m ORDER BY m.user_id) FROM memberships m WHERE m.tenant_id = $1) AS members,
              (SELECT json_agg(k.id || ':' || coalesce(k.revoked_at::text, '') ORDER BY k.id) FROM api_keys k WHERE k.tenant_id = $1) AS keys`,
      [victim.tenantId],
    );

  beforeAll(async () => {
    t = await startTestApp();
    const created = await t.createTenant('Victim');
    const member = await t.request('POST', '/tenants/current/members', {
      token: created.apiKey,
      body: { email: 'victim-member@example.com', role: 'member' },
    });
    const key = await t.request('POST', '/tenants/current/api-keys', {
      token: created.apiKey,
      body: { name: 'victim key' },
    });
    victim = { ...created, memberId: member.body.user_id, apiKeyId: key.body.id };

    attackerKey = (await t.createTenant('Attacker')).apiKey;
    attackerToken = await t.mintToken('idp|attacker', 'attacker@example.com');
    await t.request('POST', '/tenants', { token: attackerToken, body: { name: 'Attacker JWT Co' } });
  });
  afterAll(() => t.close());

  it('keeps environments apart: a test key cannot see or revoke a live key of its own tenant', async () => {
    const token = await t.mintToken('idp|two-envs', 'two-envs@example.com');
    const tenantId = (await t.request('POST', '/tenants', { token, body: { name: 'Two envs' } })).body.id;
    const live = await t.request('POST', '/tenants/current/api-keys', {
      token,
      tenantId,
      env: 'live',
      body: { name: 'live', role: 'admin' },
    });
    const testKey = (
      await t.request('POST', '/tenants/current/api-keys', {
        token,
        tenantId,
        env: 'test',
        body: { name: 'test', role: 'admin' },
      })
    ).body.key;
    const listed = await t.request('GET', '/tenants/current/api-keys', { token: testKey });
    expect(listed.body.map((k: { env: string }) => k.env)).toEqual(['test']);
    const revoke = await t.request('DELETE', `/tenants/current/api-keys/${live.body.id}`, { token: testKey });
    expect(revoke.status).toBe(404);
    expect((await t.request('GET', '/tenants/current', { token: live.body.key })).status).toBe(200);
  });

  describe.each(TENANT_ROUTES.map((route) => [routeName(route), route] as const))('%s', (_name, route) => {
    const path = () => route.path(victim);

    it('with another tenant’s JWT naming this tenant: 403, nothing changed', async () => {
      const before = await victimState();
      const response = await t.request(route.method, path(), {
        token: attackerToken,
        tenantId: victim.tenantId,
        body: route.body,
      });
      expect([response.status, response.body.error.code]).toEqual([403, 'not_a_member']);
      expect(await victimState()).toEqual(before);
    });

    it('with another tenant’s API key naming this tenant: 403, nothing changed', async () => {
      const before = await victimState();
      const response = await t.request(route.method, path(), {
        token: attackerKey,
        tenantId: victim.tenantId,
        body: route.body,
      });
      expect(response.status).toBe(403);
      expect(await victimState()).toEqual(before);
    });

    it('with another tenant’s API key on this tenant’s ids: never this tenant’s data', async () => {
      const before = await victimState();
      const response = await t.request(route.method, path(), { token: attackerKey, body: route.body });
      expect(JSON.stringify(response.body)).not.toContain(victim.tenantId);
      expect(JSON.stringify(response.body)).not.toContain('victim');
      if (['PATCH', 'DELETE'].includes(route.method)) expect(response.status).toBe(404);
      expect(await victimState()).toEqual(before);
    });
  });
});
