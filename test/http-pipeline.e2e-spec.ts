import { AuthGuard } from '../src/identity/auth/auth.guard.js';
import { RolesGuard } from '../src/identity/auth/roles.guard.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The request pipeline carries only enhancers that do something (see src/internals/nest-pass-through-enhancers.ts). */
describe('the HTTP pipeline', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const enhancers = () =>
    (t.app as unknown as { config: { getGlobalInterceptors(): object[]; getGlobalGuards(): object[] } }).config;

  it('has no global interceptor and only our own global guards', () => {
    expect(enhancers().getGlobalInterceptors()).toEqual([]);
    const guards = enhancers().getGlobalGuards();
    expect(guards.map((guard) => guard.constructor)).toEqual([AuthGuard, RolesGuard]);
  });

  it('still opens each request’s context, so audit entries carry the request id', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    const created = await t.request('POST', '/tenants/current/api-keys', { token: apiKey, body: { name: 'pipeline' } });
    expect(created.status).toBe(201);
    const [entry] = await t.query<{ request_id: string }>(
      "SELECT request_id FROM audit_events WHERE tenant_id = $1 AND action = 'api_key.created'",
      [tenantId],
    );
    expect(entry.request_id).toBe(created.headers.get('x-request-id'));
  });

  it('audits each request under the server’s own id, whatever x-request-id the caller sends', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    const headers = { 'x-request-id': 'reused-client-id' };
    const named = new Map<string, string>();
    for (const name of ['first', 'second']) {
      const created = await t.request('POST', '/tenants/current/api-keys', { token: apiKey, headers, body: { name } });
      expect(created.status).toBe(201);
      named.set(created.body.id, created.headers.get('x-request-id')!);
    }
    const entries = await t.query<{ target_id: string; request_id: string }>(
      "SELECT target_id, request_id FROM audit_events WHERE tenant_id = $1 AND action = 'api_key.created' AND target_id = ANY($2)",
      [tenantId, [...named.keys()]],
    );
    expect(new Map(entries.map((entry) => [entry.target_id, entry.request_id]))).toEqual(named);
    expect(new Set(named.values()).size).toBe(2);
    expect([...named.values()]).not.toContain('reused-client-id');
  });
});
