import { openStream, type StreamClient } from '../support/sse-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const MAX = 3;

/** BILLING_STREAM_MAX_PER_CREDENTIAL: concurrent GET /billing/stream per API key or user, per instance. */
describe('billing stream limit per credential', () => {
  let t: TestApp;
  const streams: StreamClient[] = [];
  const responses: AbortController[] = [];
  beforeAll(async () => {
    t = await startTestApp({ BILLING_STREAM_MAX_PER_CREDENTIAL: String(MAX) });
  });
  afterEach(() => {
    for (const stream of streams.splice(0)) stream.close();
    for (const response of responses.splice(0)) response.abort();
  });
  afterAll(() => t.close());

  const open = async (token: string, headers?: Record<string, string>) => {
    const stream = openStream(t.baseUrl, token, { headers });
    streams.push(stream);
    await stream.opened;
    return stream;
  };
  /** One raw request: a refusal is read whole, an open stream is left open (and closed after the test). */
  const attempt = async (token: string, headers: Record<string, string> = {}) => {
    const aborter = new AbortController();
    responses.push(aborter);
    const response = await fetch(`${t.baseUrl}/billing/stream`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
      signal: aborter.signal,
    });
    const body = response.status === 200 ? undefined : await response.json();
    return { status: response.status, headers: response.headers, body };
  };
  const expectRateLimited = (refused: Awaited<ReturnType<typeof attempt>>) => {
    expect([refused.status, refused.body.error.code]).toEqual([429, 'rate_limited']);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.body.error.retry_after_seconds).toBe(Number(refused.headers.get('retry-after')));
  };
  const memberKey = async (apiKey: string) =>
    (await t.request('POST', '/tenants/current/api-keys', { token: apiKey, body: { name: 'viewer', role: 'member' } }))
      .body.key as string;

  it('refuses the stream past the limit with 429 rate_limited and Retry-After; other keys still connect', async () => {
    const { apiKey } = await t.createTenant('Many tabs');
    // Refused before they started, these hold nothing.
    for (let i = 0; i < 2 * MAX; i++)
      expect((await attempt(apiKey, { 'last-event-id': 'not-an-id' })).status).toBe(400);
    for (let i = 0; i < MAX; i++) await open(apiKey);
    expectRateLimited(await attempt(apiKey));
    await expect(open(await memberKey(apiKey))).resolves.toBeDefined();
  });

  it('frees a slot when a stream closes', async () => {
    const { apiKey } = await t.createTenant('Closing');
    const first = await open(apiKey);
    for (let i = 1; i < MAX; i++) await open(apiKey);
    expectRateLimited(await attempt(apiKey));
    first.close();
    // The server frees the slot when it sees the connection close: the next attempt after that is let in.
    await vi.waitFor(async () => expect((await attempt(apiKey)).status).toBe(200), { timeout: 5_000 });
    expectRateLimited(await attempt(apiKey));
  });

  it('counts a user’s streams together, whichever token they present', async () => {
    const { apiKey, tenantId } = await t.createTenant('One person');
    const email = 'streamer@example.com';
    const added = await t.request('POST', '/tenants/current/members', {
      token: apiKey,
      body: { email, role: 'member' },
    });
    expect(added.status).toBe(201);
    const tenant = { 'x-tenant-id': tenantId };
    for (let i = 0; i < MAX; i++) await open(await t.mintToken('idp|streamer', email, { n: i }), tenant);
    expectRateLimited(await attempt(await t.mintToken('idp|streamer', email, { n: MAX }), tenant));
    // The tenant's API key is another credential.
    expect((await attempt(apiKey)).status).toBe(200);
  });
});
