import { startTestApp, type TestApp } from '../support/test-app.js';

describe('tenants', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('lets a signed-in user create a tenant and become its owner', async () => {
    const token = await t.mintToken('idp|founder', 'founder@example.com');
    const created = await t.request('POST', '/tenants', { token, body: { name: '  Founder Inc  ' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Founder Inc', role: 'owner' });
    const current = await t.request('GET', '/tenants/current', { token, tenantId: created.body.id });
    expect(current.body).toMatchObject({ id: created.body.id, role: 'owner', env: 'test' });
    const [audit] = await t.query('SELECT actor_type, action, tenant_id FROM audit_events WHERE target_id = $1', [
      created.body.id,
    ]);
    expect(audit).toEqual({ actor_type: 'user', action: 'tenant.created', tenant_id: created.body.id });
  });

  it('refuses tenant creation with an API key', async () => {
    const { apiKey } = await t.createTenant();
    const response = await t.request('POST', '/tenants', { token: apiKey, body: { name: 'x' } });
    expect([response.status, response.body.error.code]).toEqual([403, 'user_required']);
  });

  it.each([
    ['an empty name', { name: '' }, 'name'],
    ['a missing name', {}, 'name'],
    ['a name too long', { name: 'x'.repeat(201) }, 'name'],
    ['an unknown field', { name: 'ok', tenant_id: '00000000-0000-0000-0000-000000000000' }, 'tenant_id'],
  ])('rejects %s with the field named and nothing created', async (_name, body, field) => {
    const token = await t.mintToken('idp|validator', 'validator@example.com');
    const [{ count: before }] = await t.query('SELECT count(*)::int AS count FROM tenants');
    const response = await t.request('POST', '/tenants', { token, body });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    const [{ count: after }] = await t.query('SELECT count(*)::int AS count FROM tenants');
    expect(after).toBe(before);
  });
});
