import { ApiKeysService } from '../../src/identity/api-keys.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('members', () => {
  let t: TestApp;
  let tenantId: string;
  let ownerToken: string;
  let adminToken: string;
  let adminUserId: string;

  const membersOf = () =>
    t.query<{ user_id: string; role: string }>(
      'SELECT user_id, role FROM memberships WHERE tenant_id = $1 ORDER BY created_at',
      [tenantId],
    );

  beforeAll(async () => {
    t = await startTestApp();
    ownerToken = await t.mintToken('idp|m-owner', 'm-owner@example.com');
    tenantId = (await t.request('POST', '/tenants', { token: ownerToken, body: { name: 'Members Co' } })).body.id;
    const added = await t.request('POST', '/tenants/current/members', {
      token: ownerToken,
      tenantId,
      body: { email: 'm-admin@example.com', role: 'admin' },
    });
    adminUserId = added.body.user_id;
    adminToken = await t.mintToken('idp|m-admin', 'm-admin@example.com');
  });
  afterAll(() => t.close());

  const ownerUserId = async () => (await membersOf()).find((m) => m.role === 'owner')!.user_id;

  it('lists members with their emails and roles', async () => {
    const response = await t.request('GET', '/tenants/current/members', { token: adminToken, tenantId });
    expect(response.status).toBe(200);
    expect(response.body.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual([
      ['m-owner@example.com', 'owner'],
      ['m-admin@example.com', 'admin'],
    ]);
  });

  it('lets an admin add a member and audits it', async () => {
    const response = await t.request('POST', '/tenants/current/members', {
      token: adminToken,
      tenantId,
      body: { email: 'New@Example.com', role: 'member' },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ email: 'new@example.com', role: 'member' });
    const audit = await t.query(
      "SELECT actor_type, actor_id FROM audit_events WHERE action = 'member.added' AND target_id = $1",
      [response.body.user_id],
    );
    expect(audit).toEqual([{ actor_type: 'user', actor_id: expect.any(String) }]);
  });

  it('answers 409 for someone who is already a member', async () => {
    const response = await t.request('POST', '/tenants/current/members', {
      token: ownerToken,
      tenantId,
      body: { email: 'm-admin@example.com', role: 'member' },
    });
    expect([response.status, response.body.error.code]).toEqual([409, 'already_member']);
  });

  it('rejects an invalid email or role', async () => {
    const response = await t.request('POST', '/tenants/current/members', {
      token: ownerToken,
      tenantId,
      body: { email: 'nope', role: 'god' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['email', 'role']);
  });

  it('stops an admin from granting the owner role', async () => {
    const before = await membersOf();
    const response = await t.request('POST', '/tenants/current/members', {
      token: adminToken,
      tenantId,
      body: { email: 'x@example.com', role: 'owner' },
    });
    expect([response.status, response.body.error.code]).toEqual([403, 'cannot_manage_owner']);
    expect(await membersOf()).toEqual(before);
  });

  it('stops an admin from changing or removing an owner', async () => {
    const owner = await ownerUserId();
    const change = await t.request('PATCH', `/tenants/current/members/${owner}`, {
      token: adminToken,
      tenantId,
      body: { role: 'member' },
    });
    const remove = await t.request('DELETE', `/tenants/current/members/${owner}`, { token: adminToken, tenantId });
    expect([change.status, remove.status]).toEqual([403, 403]);
    expect((await membersOf()).find((m) => m.user_id === owner)?.role).toBe('owner');
  });

  it('never lets the last owner go', async () => {
    const owner = await ownerUserId();
    const demote = await t.request('PATCH', `/tenants/current/members/${owner}`, {
      token: ownerToken,
      tenantId,
      body: { role: 'admin' },
    });
    const remove = await t.request('DELETE', `/tenants/current/members/${owner}`, { token: ownerToken, tenantId });
    expect([demote.body.error.code, remove.body.error.code]).toEqual(['last_owner', 'last_owner']);
    expect(demote.status).toBe(409);
  });

  it('lets an owner promote another owner, after which one may step down', async () => {
    const owner = await ownerUserId();
    const promote = await t.request('PATCH', `/tenants/current/members/${adminUserId}`, {
      token: ownerToken,
      tenantId,
      body: { role: 'owner' },
    });
    expect(promote.status).toBe(200);
    const stepDown = await t.request('PATCH', `/tenants/current/members/${owner}`, {
      token: ownerToken,
      tenantId,
      body: { role: 'admin' },
    });
    expect(stepDown.status).toBe(200);
    expect((await membersOf()).filter((m) => m.role === 'owner').map((m) => m.user_id)).toEqual([adminUserId]);
  });

  it('removes a member and answers 404 for one that is not there', async () => {
    const added = await t.request('POST', '/tenants/current/members', {
      token: adminToken,
      tenantId,
      body: { email: 'leaver@example.com', role: 'member' },
    });
    const removed = await t.request('DELETE', `/tenants/current/members/${added.body.user_id}`, {
      token: adminToken,
      tenantId,
    });
    const again = await t.request('DELETE', `/tenants/current/members/${added.body.user_id}`, {
      token: adminToken,
      tenantId,
    });
    expect(removed.status).toBe(204);
    expect([again.status, again.body.error.code]).toEqual([404, 'member_not_found']);
  });

  /** The user's former-membership rows, each saying whether it was written in the last minute. */
  const formerMembership = (userId: string) =>
    t.query<{ recent: boolean }>(
      "SELECT left_at > now() - interval '1 minute' AS recent FROM former_memberships WHERE tenant_id = $1 AND user_id = $2",
      [tenantId, userId],
    );

  it('records when a member left, and the latest time if they leave again', async () => {
    const add = () =>
      t.request('POST', '/tenants/current/members', {
        token: adminToken,
        tenantId,
        body: { email: 'returner@example.com', role: 'member' },
      });
    const remove = (userId: string) =>
      t.request('DELETE', `/tenants/current/members/${userId}`, { token: adminToken, tenantId });
    const userId = (await add()).body.user_id;
    expect(await formerMembership(userId)).toEqual([]);
    expect((await remove(userId)).status).toBe(204);
    expect(await formerMembership(userId)).toEqual([{ recent: true }]);
    await t.query(
      "UPDATE former_memberships SET left_at = left_at - interval '90 days' WHERE tenant_id = $1 AND user_id = $2",
      [tenantId, userId],
    );
    expect((await add()).status).toBe(201);
    expect(await formerMembership(userId)).toEqual([{ recent: false }]);
    expect((await remove(userId)).status).toBe(204);
    expect(await formerMembership(userId)).toEqual([{ recent: true }]);
  });

  it('records the departure in the removal’s transaction: a removal that fails leaves no record', async () => {
    const added = await t.request('POST', '/tenants/current/members', {
      token: adminToken,
      tenantId,
      body: { email: 'half-removed@example.com', role: 'member' },
    });
    const userId = added.body.user_id;
    const apiKeys = t.app.get(ApiKeysService);
    const failing = vi.spyOn(apiKeys, 'revokeIssuedAbove').mockRejectedValueOnce(new Error('fails after the delete'));
    try {
      const removed = await t.request('DELETE', `/tenants/current/members/${userId}`, { token: adminToken, tenantId });
      expect(removed.status).toBe(500);
      expect(failing).toHaveBeenCalledOnce();
    } finally {
      failing.mockRestore();
    }
    expect((await membersOf()).map((m) => m.user_id)).toContain(userId);
    expect(await formerMembership(userId)).toEqual([]);
  });

  it('validates the member id in the path', async () => {
    const response = await t.request('DELETE', '/tenants/current/members/not-a-uuid', { token: adminToken, tenantId });
    expect([response.status, response.body.error.code]).toEqual([400, 'validation_failed']);
  });
});
