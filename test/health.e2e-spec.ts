import { ServerDrain } from '../src/common/http/server-drain.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('health and the common HTTP surface', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers liveness without credentials', async () => {
    const response = await t.request('GET', '/health');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('reports the database as up when it is reachable', async () => {
    const response = await t.request('GET', '/health/ready');
    expect(response.status).toBe(200);
    expect(response.body.details.database.status).toBe('up');
  });

  // Last: the app stays draining.
  it('answers readiness 503 once shutdown has begun, and tells every answer to close its connection', async () => {
    expect((await t.request('GET', '/health/ready')).headers.get('connection')).not.toBe('close');
    t.app.get(ServerDrain).begin();
    const ready = await t.request('GET', '/health/ready');
    expect([ready.status, ready.body.error.code, ready.body.error.checks]).toEqual([
      503,
      'service_unavailable',
      { shutdown: 'draining' },
    ]);
    const live = await t.request('GET', '/health');
    expect([live.status, live.headers.get('connection')]).toEqual([200, 'close']);
  });
});
