import { compTenant, setUsed, summarize } from '../support/metering.js';
import { type ServiceProcess, startService } from '../support/service-process.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';

/** Exact under concurrency and across instances: decided inside Postgres, enforced everywhere within a second. */
describe('metering under concurrency', () => {
  let a: TestApp;
  /** A second instance: the built service in its own process, on the same database. */
  let b: ServiceProcess;
  beforeAll(async () => {
    a = await startTestApp();
    b = await startService({
      DATABASE_URL: a.databaseUrl,
      JWT_SECRET: TEST_JWT_SECRET,
      ENABLE_BILLING: 'false',
      LOG_LEVEL: 'warn',
    });
    await b.waitForHealth();
  });
  afterAll(async () => {
    b.child.kill('SIGTERM');
    await b.exited;
    await a.close();
  });

  const summarizeOnB = async (token: string, body: Record<string, unknown>) => {
    const response = await fetch(`http://127.0.0.1:${b.port}/v1/summarize`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    return { status: response.status };
  };

  /** An enterprise comp (no hourly limit) with exactly 50 characters left this period. */
  const fiftyLeft = async () => {
    const { apiKey, tenantId } = await a.createTenant();
    await compTenant(a, tenantId, 'enterprise');
    const periodStart = new Date((await a.request('GET', '/usage', { token: apiKey })).body.current.period_start);
    await setUsed(a, tenantId, 10_000_000 - 50, periodStart);
    return { apiKey, tenantId };
  };
  const count = (responses: Array<{ status: number }>, status: number) =>
    responses.filter((r) => r.status === status).length;

  it('lets exactly 50 of 200 parallel one-character requests through when 50 are left', async () => {
    const { apiKey } = await fiftyLeft();
    const responses = await Promise.all(Array.from({ length: 200 }, () => summarize(a, apiKey, { text: 'x' })));
    expect([count(responses, 200), count(responses, 402)]).toEqual([50, 150]);
    expect((await a.request('GET', '/usage', { token: apiKey })).body.current.used).toBe(10_000_000);
  });

  it('stays exact with two instances on one database', async () => {
    const { apiKey } = await fiftyLeft();
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        i % 2 ? summarize(a, apiKey, { text: 'x' }) : summarizeOnB(apiKey, { text: 'x' }),
      ),
    );
    expect([count(responses, 200), count(responses, 402)]).toEqual([50, 150]);
  });

  it('enforces a change made through one instance on the other within a second', async () => {
    const { apiKey, tenantId } = await a.createTenant();
    expect((await summarizeOnB(apiKey, { text: 'Plan check.', mode: 'bullets' })).status).toBe(402);
    const started = Date.now();
    await compTenant(a, tenantId, 'starter');
    await vi.waitFor(
      async () => expect((await summarizeOnB(apiKey, { text: 'Plan check.', mode: 'bullets' })).status).toBe(200),
      { timeout: 1_000, interval: 20 },
    );
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
