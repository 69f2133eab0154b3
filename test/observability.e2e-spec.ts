import http from 'node:http';
import type { Logger } from 'pino';
import { TenantsService } from '../src/identity/tenants.service.js';
import { ROOT_LOGGER } from '../src/observability/root-logger.token.js';
import { startTestApp, type TestApp } from './support/test-app.js';

type LogLine = Record<string, unknown>;

describe('metrics and logs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      STRIPE_SECRET_KEY: 'sk_test_configuredSecretKey1234',
      JWT_SECRET: 'configured-jwt-secret-long-enough-000000',
    });
  });
  afterAll(() => t.close());

  it('exposes default Node metrics and the request histogram by route template', async () => {
    const { apiKey } = await t.createTenant();
    await t.request('GET', '/tenants/current', { token: apiKey });
    await t.request('DELETE', '/tenants/current/api-keys/00000000-0000-4000-8000-000000000000', { token: apiKey });
    const metrics = await t.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(metrics.body).toContain('process_cpu_user_seconds_total');
    expect(metrics.body).toContain('nodejs_eventloop_lag_seconds');
    expect(metrics.body).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/tenants\/current",status_code="200"\} 1/,
    );
    expect(metrics.body).toMatch(/route="\/tenants\/current\/api-keys\/:id",status_code="404"/);
    expect(metrics.body).not.toContain('00000000-0000-4000-8000-000000000000');
  });

  it('logs each request as JSON with its request id', async () => {
    await t.request('GET', '/tenants/current', { headers: { 'x-request-id': 'log-check-1' } });
    await vi.waitFor(() => expect(t.logs.join('')).toContain('log-check-1'));
    const line = t.logs.find((entry) => entry.includes('log-check-1'))!;
    expect(JSON.parse(line)).toMatchObject({ reqId: 'log-check-1', res: { statusCode: 401 } });
  });

  it('never writes credentials or configured secrets to the log', async () => {
    const { apiKey } = await t.createTenant();
    const created = await t.request('POST', '/tenants/current/api-keys', { token: apiKey, body: { name: 'logged?' } });
    const token = await t.mintToken('idp|logger', 'logger@example.com');
    await t.request('POST', '/tenants', {
      token,
      body: { name: 'x' },
      headers: { cookie: 'session=abc123secret', 'stripe-signature': 't=1,v1=deadbeef' },
    });
    await vi.waitFor(() => expect(t.logs.length).toBeGreaterThan(3));
    const everything = t.logs.join('');
    for (const secret of [apiKey, created.body.key, token, 'abc123secret', 'deadbeef', ...t.config.secretValues]) {
      expect(everything).not.toContain(secret);
    }
    const requestLines = t.logs.filter((line) => line.includes('request completed')).map((line) => JSON.parse(line));
    expect(requestLines.length).toBeGreaterThan(0);
    for (const line of requestLines) expect(line.req).not.toHaveProperty('headers');
  });

  it('scrubs configured secrets and key-shaped strings from anything logged', async () => {
    const root = t.app.get<Logger>(ROOT_LOGGER, { strict: false });
    root.warn(
      { detail: `stripe said no to ${t.config.billing.stripeSecretKey}` },
      'careless bk_live_abcdefghijklmnopqrstuvwxyz message',
    );
    const line = t.logs.at(-1)!;
    expect(line).not.toContain(t.config.billing.stripeSecretKey!);
    expect(line).not.toContain('abcdefghijklmnopqrstuvwxyz');
    expect(line).toContain('[redacted]');
  });

  const logLines = () => t.logs.map((line) => JSON.parse(line) as LogLine);
  const completed = (reqId: string | null) =>
    logLines().find((line) => line.msg === 'request completed' && line.reqId === reqId);

  it('writes the request id and tenant on every line logged while serving a request', async () => {
    const { apiKey, tenantId } = await t.createTenant();
    const root = t.app.get<Logger>(ROOT_LOGGER, { strict: false });
    const tenants = t.app.get(TenantsService);
    const current = tenants.current.bind(tenants);
    // A line logged from inside the handler, by code that says nothing about the request.
    const spy = vi.spyOn(tenants, 'current').mockImplementation((scope) => {
      root.info('looking up the current tenant');
      return current(scope);
    });
    const response = await t.request('GET', '/tenants/current', { token: apiKey }).finally(() => spy.mockRestore());
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    await vi.waitFor(() => expect(completed(requestId)).toBeDefined());
    const inside = logLines().find((line) => line.msg === 'looking up the current tenant');
    expect(inside).toMatchObject({ reqId: requestId, tenantId, env: 'test' });
    expect(completed(requestId)).toMatchObject({ tenantId, env: 'test' });

    root.info('between requests');
    expect(logLines().at(-1)).toMatchObject({ msg: 'between requests' });
    for (const key of ['reqId', 'tenantId', 'env']) expect(logLines().at(-1)).not.toHaveProperty(key);
  });

  it("does not carry one request's tenant into the next request on the same connection", async () => {
    const { apiKey, tenantId } = await t.createTenant();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = (path: string, headers: Record<string, string>) =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const request = http.get(`${t.baseUrl}${path}`, { agent, headers }, (response) => {
          const answer = { status: response.statusCode!, reused: request.reusedSocket };
          response.resume().on('end', () => resolve(answer));
        });
        request.on('error', reject);
      });
    try {
      const first = await get('/tenants/current', { authorization: `Bearer ${apiKey}`, 'x-request-id': 'same-conn-1' });
      expect(first).toEqual({ status: 200, reused: false });
      expect(await get('/llms.txt', { 'x-request-id': 'same-conn-2' })).toEqual({ status: 200, reused: true });
      expect(await get('/tenants/current', { 'x-request-id': 'same-conn-3' })).toEqual({ status: 401, reused: true });
      // Authenticated again, then a route that does not exist: it never reaches AuthGuard.
      await get('/tenants/current', { authorization: `Bearer ${apiKey}`, 'x-request-id': 'same-conn-4' });
      expect(await get('/no-such-route', { 'x-request-id': 'same-conn-5' })).toEqual({ status: 404, reused: true });
    } finally {
      agent.destroy();
    }
    await vi.waitFor(() => expect(completed('same-conn-5')).toBeDefined());
    expect(completed('same-conn-1')).toMatchObject({ tenantId });
    expect(completed('same-conn-2')).not.toHaveProperty('tenantId');
    expect(completed('same-conn-3')).not.toHaveProperty('tenantId');
    expect(completed('same-conn-4')).toMatchObject({ tenantId });
    expect(completed('same-conn-5')).not.toHaveProperty('tenantId');
  });
});
