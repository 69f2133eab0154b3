import { startTestApp, type TestApp } from '../support/test-app.js';

describe('GET /audit', () => {
  let t: TestApp;
  let owner: { tenantId: string; apiKey: string };
  let other: { tenantId: string; apiKey: string };
  let keyIds: string[];

  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.createTenant('Audit Co');
    other = await t.createTenant('Other Co');
    keyIds = [];
    for (const name of ['one', 'two', 'three']) {
      keyIds.push(
        (await t.request('POST', '/tenants/current/api-keys', { token: owner.apiKey, body: { name } })).body.id,
      );
    }
    await t.request('DELETE', `/tenants/current/api-keys/${keyIds[0]}`, { token: owner.apiKey });
    await t.request('POST', '/tenants/current/members', {
      token: owner.apiKey,
      body: { email: 'audited@example.com', role: 'member' },
    });
    await t.request('POST', '/tenants/current/api-keys', { token: other.apiKey, body: { name: 'elsewhere' } });
  });
  afterAll(() => t.close());

  it('lists the tenant’s own entries newest first, with actor and target', async () => {
    const response = await t.request('GET', '/audit', { token: owner.apiKey });
    expect(response.status).toBe(200);
    const actions = response.body.data.map((e: { action: string }) => e.action);
    expect(actions.slice(0, 2)).toEqual(['member.added', 'api_key.revoked']);
    expect(actions.filter((a: string) => a === 'api_key.created').length).toBeGreaterThanOrEqual(3);
    const revoked = response.body.data.find((e: { action: string }) => e.action === 'api_key.revoked');
    expect(revoked).toMatchObject({ actor: { type: 'api_key' }, target: { type: 'api_key', id: keyIds[0] } });
    const ids = response.body.data.map((e: { id: string }) => BigInt(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    expect(response.body.next_cursor).toBeNull();
  });

  it('never shows another tenant’s entries', async () => {
    const mine = await t.request('GET', '/audit', { token: owner.apiKey });
    const theirs = await t.request('GET', '/audit', { token: other.apiKey });
    const mineIds = new Set(mine.body.data.map((e: { id: string }) => e.id));
    expect(theirs.body.data.length).toBeGreaterThan(0);
    expect(theirs.body.data.some((e: { id: string }) => mineIds.has(e.id))).toBe(false);
    expect(JSON.stringify(theirs.body)).not.toContain(keyIds[1]);
  });

  it('pages with a cursor until every entry has been seen once', async () => {
    const all = (await t.request('GET', '/audit', { token: owner.apiKey })).body.data.map((e: { id: string }) => e.id);
    const seen: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { status: number; body: { data: { id: string }[]; next_cursor: string | null } } = await t.request(
        'GET',
        `/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: owner.apiKey },
      );
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((e) => e.id));
      cursor = page.body.next_cursor;
    }
    expect(seen).toEqual(all);
  });

  it('filters by action, by action prefix and by time', async () => {
    const exact = await t.request('GET', '/audit?action=api_key.revoked', { token: owner.apiKey });
    expect(exact.body.data.map((e: { action: string }) => e.action)).toEqual(['api_key.revoked']);
    const prefix = await t.request('GET', '/audit?action=api_key.', { token: owner.apiKey });
    expect(new Set(prefix.body.data.map((e: { action: string }) => e.action))).toEqual(
      new Set(['api_key.created', 'api_key.revoked']),
    );
    const future = new Date(Date.now() + 60_000).toISOString();
    const none = await t.request('GET', `/audit?since=${encodeURIComponent(future)}`, { token: owner.apiKey });
    expect(none.body.data).toEqual([]);
    const before = await t.request('GET', `/audit?until=${encodeURIComponent(future)}`, { token: owner.apiKey });
    expect(before.body.data.length).toBeGreaterThan(0);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['cursor=abc', 'cursor'],
    ['action=DROP%20TABLE', 'action'],
    ['since=yesterday', 'since'],
  ])('refuses %s with a coded 400', async (query) => {
    const response = await t.request('GET', `/audit?${query}`, { token: owner.apiKey });
    expect([response.status, response.body.error.code]).toEqual([400, 'validation_failed']);
  });

  it('refuses a member with 403', async () => {
    const member = await t.request('POST', '/tenants/current/api-keys', {
      token: owner.apiKey,
      body: { name: 'member', role: 'member' },
    });
    const response = await t.request('GET', '/audit', { token: member.body.key });
    expect([response.status, response.body.error.code]).toEqual([403, 'forbidden_role']);
  });

  it('cannot be changed: the table refuses UPDATE and DELETE', async () => {
    await expect(
      t.query("UPDATE audit_events SET action = 'forged' WHERE tenant_id = $1", [owner.tenantId]),
    ).rejects.toThrow();
    await expect(t.query('DELETE FROM audit_events WHERE tenant_id = $1', [owner.tenantId])).rejects.toThrow();
    const forged = await t.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'forged'");
    expect(forged[0].n).toBe(0);
  });
});
