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
});
