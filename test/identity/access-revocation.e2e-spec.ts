import { startTestApp, type TestApp } from '../support/test-app.js';

/** Access granted through a person or a key ends when they lose the role that granted it. */
describe('access after demotion, removal and revocation', () => {
  let t: TestApp;
  let owner: { tenantId: string; apiKey: string };
  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.createTenant('Revocation Co');
  });
  afterAll(() => t.close());

  const joinAs = async (name: string, role: 'admin' | 'member') => {
    const added = await t.request('POST', '/tenants/current/members', {
      token: owner.apiKey,
      body: { email: `${name}@example.com`, role },
    });
    const token = await t.mintToken(`idp|${name}`, `${name}@example.com`);
    return { userId: added.body.user_id as string, token };
  };
  const works = async (key: string) => (await t.request('GET', '/tenants/current', { token: key })).status === 200;

  it('revokes the admin keys a user issued when they are demoted to member, keeping member keys', async () => {
    const admin = await joinAs('demoted', 'admin');
    const adminKey = (
      await t.request('POST', '/tenants/current/api-keys', {
        token: admin.token,
        tenantId: owner.tenantId,
        body: { name: 'a', role: 'admin' },
      })
    ).body.key;
    const memberKey = (
      await t.request('POST', '/tenants/current/api-keys', {
        token: admin.token,
        tenantId: owner.tenantId,
        body: { name: 'm', role: 'member' },
      })
    ).body.key;
    await t.request('PATCH', `/tenants/current/members/${admin.userId}`, {
      token: owner.apiKey,
      body: { role: 'member' },
    });
    expect([await works(adminKey), await works(memberKey)]).toEqual([false, true]);
  });

  it('revokes every key a user issued when they are removed', async () => {
    const leaver = await joinAs('removed', 'admin');
    const key = (
      await t.request('POST', '/tenants/current/api-keys', {
        token: leaver.token,
        tenantId: owner.tenantId,
        body: { name: 'm' },
      })
    ).body.key;
    await t.request('DELETE', `/tenants/current/members/${leaver.userId}`, { token: owner.apiKey });
    expect(await works(key)).toBe(false);
  });

  it('revokes, with a key, every key that key issued, transitively', async () => {
    const parent = (
      await t.request('POST', '/tenants/current/api-keys', {
        token: owner.apiKey,
        body: { name: 'parent', role: 'admin' },
      })
    ).body;
    const child = (
      await t.request('POST', '/tenants/current/api-keys', {
        token: parent.key,
        body: { name: 'child', role: 'admin' },
      })
    ).body;
    const grandchild = (
      await t.request('POST', '/tenants/current/api-keys', { token: child.key, body: { name: 'grandchild' } })
    ).body;
    const unrelated = (
      await t.request('POST', '/tenants/current/api-keys', { token: owner.apiKey, body: { name: 'unrelated' } })
    ).body;
    await t.request('DELETE', `/tenants/current/api-keys/${parent.id}`, { token: owner.apiKey });
    expect([
      await works(parent.key),
      await works(child.key),
      await works(grandchild.key),
      await works(unrelated.key),
    ]).toEqual([false, false, false, true]);
    const audited = await t.query(
      "SELECT target_id FROM audit_events WHERE action = 'api_key.revoked' AND target_id = ANY($1)",
      [[parent.id, child.id, grandchild.id]],
    );
    expect(audited).toHaveLength(3);
  });

  it('lets exactly one of two owners remove the other when both try at once', async () => {
    const first = await t.mintToken('idp|owner-a', 'owner-a@example.com');
    const tenantId = (await t.request('POST', '/tenants', { token: first, body: { name: 'Two owners' } })).body.id;
    const added = await t.request('POST', '/tenants/current/members', {
      token: first,
      tenantId,
      body: { email: 'owner-b@example.com', role: 'owner' },
    });
    const second = await t.mintToken('idp|owner-b', 'owner-b@example.com');
    const [{ user_id: firstId }] = await t.query("SELECT id AS user_id FROM users WHERE subject = 'idp|owner-a'");
    const results = await Promise.all([
      t.request('DELETE', `/tenants/current/members/${added.body.user_id}`, { token: first, tenantId }),
      t.request('DELETE', `/tenants/current/members/${firstId}`, { token: second, tenantId }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses[0]).toBe(204);
    expect([403, 409]).toContain(statuses[1]);
    const owners = await t.query("SELECT count(*)::int AS n FROM memberships WHERE tenant_id = $1 AND role = 'owner'", [
      tenantId,
    ]);
    expect(owners[0].n).toBe(1);
  });
});
