import { startTestApp, type TestApp } from './support/test-app.js';

describe('the common error shape', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp();
    token = await t.mintToken('idp|errors', 'errors@example.com');
  });
  afterAll(() => t.close());

  const expectErrorShape = (body: any, code: string) => {
    expect(body).toEqual({
      error: expect.objectContaining({ code, message: expect.any(String), request_id: expect.any(String) }),
    });
  };

  it('404s unknown routes in the same shape', async () => {
    const response = await t.request('GET', '/no/such/route');
    expect(response.status).toBe(404);
    expectErrorShape(response.body, 'not_found');
  });

  it('answers what Fastify’s router refuses in the same shape, with the request id', async () => {
    const long = await t.request('DELETE', `/tenants/current/members/${'a'.repeat(200)}`, { token });
    expect(long.status).toBe(414);
    expectErrorShape(long.body, 'uri_too_long');
    expect(long.headers.get('x-request-id')).toBe(long.body.error.request_id);
    const broken = await t.request('GET', '/tenants/%E0%A4%A', { token });
    expect(broken.status).toBe(400);
    expectErrorShape(broken.body, 'bad_url');
    expect(JSON.stringify(broken.body)).not.toContain('%E0');
  });

  it('400s malformed JSON', async () => {
    const response = await t.request('POST', '/tenants', { token, rawBody: '{"name": "unterminated' });
    expect(response.status).toBe(400);
    expectErrorShape(response.body, 'malformed_json');
  });

  it('413s bodies over 1 MiB', async () => {
    const response = await t.request('POST', '/tenants', {
      token,
      rawBody: JSON.stringify({ name: 'x'.repeat(1_100_000) }),
    });
    expect(response.status).toBe(413);
    expectErrorShape(response.body, 'payload_too_large');
  });

  it('415s a body that is not JSON', async () => {
    const response = await t.request('POST', '/tenants', {
      token,
      rawBody: 'name=x',
      headers: { 'content-type': 'text/csv' },
    });
    expect(response.status).toBe(415);
    expectErrorShape(response.body, 'unsupported_media_type');
  });

  it('lists every invalid field', async () => {
    const response = await t.request('POST', '/tenants/current/members', {
      token: (await t.createTenant()).apiKey,
      body: { email: 42, role: 'king', extra: true },
    });
    expect(response.status).toBe(400);
    expectErrorShape(response.body, 'validation_failed');
    expect(response.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'email',
      'extra',
      'role',
    ]);
  });

  it('names the server’s own request id in x-request-id and the error, never the caller’s', async () => {
    const response = await t.request('GET', '/nowhere', { headers: { 'x-request-id': 'trace-abc.123' } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body.error.request_id).toBe(response.headers.get('x-request-id'));
  });

  it('replaces an unsafe x-request-id with a generated one', async () => {
    const response = await t.request('GET', '/health', { headers: { 'x-request-id': 'bad id <script>' } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('generates a request id when none is sent', async () => {
    const response = await t.request('GET', '/health');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
