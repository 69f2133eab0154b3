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

  const logLines = () => t.logs.map((line) => JSON.parse(line) as LogLine);
  const completed = (reqId: string | null) =>
    logLines().find((line) => line.msg === 'request completed' && line.reqId === reqId);
  const completedFor = (clientRequestId: string) =>
    logLines().find((line) => line.msg === 'request completed' && line.clientRequestId === clientRequestId);

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

  it('logs each request as JSON with the server’s request id, and the caller’s own beside it', async () => {
    for (const clientId of ['log-check-1', `${'u'.repeat(60)}:._-`, '3f1c9a52-7e0b-4d4e-9a11-2b6c8d0e5f47']) {
      const response = await t.request('GET', '/tenants/current', { headers: { 'x-request-id': clientId } });
      const requestId = response.headers.get('x-request-id')!;
      expect(requestId).not.toBe(clientId);
      await vi.waitFor(() => expect(completed(requestId)).toBeDefined());
      expect(completed(requestId)).toMatchObject({ clientRequestId: clientId, res: { statusCode: 401 } });
    }
  });

  it('ignores a caller’s x-request-id that is too long or has other characters: not echoed, not logged', async () => {
    for (const clientId of ['u'.repeat(65), 'bad id <script>', 'line\tbreak', 'ü-not-ascii', 'a/b', 'a,b']) {
      const response = await t.request('GET', '/tenants/current', { headers: { 'x-request-id': clientId } });
      const requestId = response.headers.get('x-request-id')!;
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      await vi.waitFor(() => expect(completed(requestId)).toBeDefined());
      expect(completed(requestId)).not.toHaveProperty('clientRequestId');
      expect(t.logs.join('')).not.toContain(clientId);
    }
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
    const response = await t
      .request('GET', '/tenants/current', { token: apiKey, headers: { 'x-request-id': 'inside-check' } })
      .finally(() => spy.mockRestore());
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    await vi.waitFor(() => expect(completed(requestId)).toBeDefined());
    const inside = logLines().find((line) => line.msg === 'looking up the current tenant');
    expect(inside).toMatchObject({ reqId: requestId, clientRequestId: 'inside-check', tenantId, env: 'test' });
    expect(completed(requestId)).toMatchObject({ tenantId, env: 'test' });

    root.info('between requests');
    expect(logLines().at(-1)).toMatchObject({ msg: 'between requests' });
    for (const key of ['reqId', 'clientRequestId', 'tenantId', 'env'])
      expect(logLines().at(-1)).not.toHaveProperty(key);
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
    await vi.waitFor(() => expect(completedFor('same-conn-5')).toBeDefined());
    expect(completedFor('same-conn-1')).toMatchObject({ tenantId });
    expect(completedFor('same-conn-2')).not.toHaveProperty('tenantId');
    expect(completedFor('same-conn-3')).not.toHaveProperty('tenantId');
    expect(completedFor('same-conn-4')).toMatchObject({ tenantId });
    expect(completedFor('same-conn-5')).not.toHaveProperty('tenantId');
  });
});
