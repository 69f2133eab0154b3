import { createHash } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('API keys', () => {
  let t: TestApp;
  let owner: { tenantId: string; apiKey: string };
  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.createTenant('Keys Co');
  });
  afterAll(() => t.close());

  it('shows a new key once and stores only its hash and prefix', async () => {
    const response = await t.request('POST', '/tenants/current/api-keys', {
      token: owner.apiKey,
      body: { name: 'ci', role: 'admin' },
    });
    expect(response.status).toBe(201);
    const { key, prefix, id } = response.body;
    expect(key).toMatch(/^bk_test_/);
    expect(key.startsWith(prefix)).toBe(true);
    const [row] = await t.query('SELECT key_hash, prefix FROM api_keys WHERE id = $1', [id]);
    expect(row.key_hash.equals(createHash('sha256').update(key).digest())).toBe(true);
    const everything = JSON.stringify(await t.query('SELECT * FROM api_keys'));
    expect(everything).not.toContain(key);
    const listed = await t.request('GET', '/tenants/current/api-keys', { token: owner.apiKey });
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(listed.body.find((k: { id: string }) => k.id === id)).toMatchObject({ name: 'ci', role: 'admin', prefix });
  });

  it('makes keys that work, with the role they were given', async () => {
    const created = await t.request('POST', '/tenants/current/api-keys', {
      token: owner.apiKey,
      body: { name: 'reader' },
    });
    expect(created.body.role).toBe('member');
    const current = await t.request('GET', '/tenants/current', { token: created.body.key });
    expect(current.body).toMatchObject({ id: owner.tenantId, role: 'member' });
  });

  it('never issues a key above its creator’s role', async () => {
    const admin = await t.request('POST', '/tenants/current/api-keys', {
      token: owner.apiKey,
      body: { name: 'admin', role: 'admin' },
    });
    const response = await t.request('POST', '/tenants/current/api-keys', {
      token: admin.body.key,
      body: { name: 'escalate', role: 'owner' },
    });
    expect([response.status, response.body.error.code]).toEqual([403, 'role_above_creator']);
  });

  it('takes the env from the request, never the body', async () => {
    const token = await t.mintToken('idp|keys-live', 'keys-live@example.com');
    const tenantId = (await t.request('POST', '/tenants', { token, body: { name: 'Live Co' } })).body.id;
    const live = await t.request('POST', '/tenants/current/api-keys', {
      token,
      tenantId,
      env: 'live',
      body: { name: 'prod' },
    });
    expect(live.body.key).toMatch(/^bk_live_/);
    const smuggled = await t.request('POST', '/tenants/current/api-keys', {
      token,
      tenantId,
      body: { name: 'x', env: 'live' },
    });
    expect([smuggled.status, smuggled.body.error.code]).toEqual([400, 'validation_failed']);
    const testList = await t.request('GET', '/tenants/current/api-keys', { token, tenantId, env: 'test' });
    expect(testList.body).toEqual([]);
  });

  it('revokes a key so it stops working at once, idempotently', async () => {
    const created = await t.request('POST', '/tenants/current/api-keys', {
      token: owner.apiKey,
      body: { name: 'temp' },
    });
    const revoked = await t.request('DELETE', `/tenants/current/api-keys/${created.body.id}`, { token: owner.apiKey });
    const again = await t.request('DELETE', `/tenants/current/api-keys/${created.body.id}`, { token: owner.apiKey });
    expect([revoked.status, again.status]).toEqual([204, 204]);
    const use = await t.request('GET', '/tenants/current', { token: created.body.key });
    expect([use.status, use.body.error.code]).toEqual([401, 'invalid_api_key']);
    const audit = await t.query(
      "SELECT count(*)::int AS n FROM audit_events WHERE action = 'api_key.revoked' AND target_id = $1",
      [created.body.id],
    );
    expect(audit[0].n).toBe(1);
  });

  it('stops an admin from revoking an owner key', async () => {
    const admin = await t.request('POST', '/tenants/current/api-keys', {
      token: owner.apiKey,
      body: { name: 'adm', role: 'admin' },
    });
    const ownerKeys = await t.query("SELECT id FROM api_keys WHERE tenant_id = $1 AND role = 'owner'", [
      owner.tenantId,
    ]);
    const response = await t.request('DELETE', `/tenants/current/api-keys/${ownerKeys[0].id}`, {
      token: admin.body.key,
    });
    expect(response.status).toBe(403);
    expect((await t.request('GET', '/tenants/current', { token: owner.apiKey })).status).toBe(200);
  });

  it('answers 404 for a key id that does not exist', async () => {
    const response = await t.request('DELETE', '/tenants/current/api-keys/00000000-0000-4000-8000-000000000000', {
      token: owner.apiKey,
    });
    expect([response.status, response.body.error.code]).toEqual([404, 'api_key_not_found']);
  });
});
