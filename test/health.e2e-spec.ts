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
});
