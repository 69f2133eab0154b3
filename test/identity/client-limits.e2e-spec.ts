import { type BillingTestApp, startBillingApp } from '../support/billing-app.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { expectRateLimited } from '../support/rate-limited.js';

const FAILED_AUTH_LIMIT = 3;
const PUBLIC_LIMIT = 5;
const LIMITS = {
  RATE_LIMIT_FAILED_AUTH_PER_MINUTE: String(FAILED_AUTH_LIMIT),
  RATE_LIMIT_PUBLIC_PER_MINUTE: String(PUBLIC_LIMIT),
};

/** Each test is a client of its own: an address of the documentation range, sent as X-Forwarded-For. */
let last = 0;
const newClient = () => `203.0.113.${++last}`;

const UNKNOWN_KEY = `bk_test_${'A'.repeat(43)}`;

/** Per client address: failed authentications and public routes (TRUST_PROXY set, so X-Forwarded-For is the client). */
describe('per-client limits', () => {
  let t: BillingTestApp;
  const from = (client: string, headers: Record<string, string> = {}) => ({
    headers: { 'x-forwarded-for': client, ...headers },
  });
  const refusals = async (limit: string) => {
    const metrics = await t.request('GET', '/metrics', from(newClient()));
    const line = new RegExp(`^http_rate_limited_total\\{limit="${limit}"\\} (\\d+)$`, 'm').exec(metrics.body);
    return Number(line?.[1] ?? 0);
  };
  /** A tenant with its owner's API key, and a signed-in member's JWT for it. */
  const tenantWithMember = async (name: string) => {
    const tenant = await t.createTenant(name);
    const email = `${name.toLowerCase().replace(/\W/g, '-')}@example.com`;
    const added = await t.request('POST', '/tenants/current/members', {
      token: tenant.apiKey,
      body: { email, role: 'member' },
      ...from(newClient()),
    });
    expect(added.status).toBe(201);
    return { ...tenant, memberToken: await t.mintToken(`idp|${email}`, email) };
  };
  /** `count` unknown keys from `client`, each answered 401 invalid_api_key. */
  const failAuthentication = async (client: string, count = FAILED_AUTH_LIMIT) => {
    for (let i = 0; i < count; i++) {
      const response = await t.request('GET', '/tenants/current', { token: UNKNOWN_KEY, ...from(client) });
      expect([response.status, response.body.error.code]).toEqual([401, 'invalid_api_key']);
    }
  };

  beforeAll(async () => {
    t = await startBillingApp({ TRUST_PROXY: 'true', ...LIMITS });
  });
  afterAll(() => t.close());

  describe('failed authentication', () => {
    it('answers 401 up to the limit, then 429 rate_limited with Retry-After, for keys and JWTs alike', async () => {
      const client = newClient();
      const before = await refusals('failed_auth');
      await failAuthentication(client);
      expectRateLimited(await t.request('GET', '/tenants/current', { token: UNKNOWN_KEY, ...from(client) }));
      expectRateLimited(await t.request('GET', '/tenants/current', { token: 'not.a.jwt', ...from(client) }));
      expectRateLimited(await t.request('GET', '/tenants/current', { token: 'bk_test_short', ...from(client) }));
      expect(await refusals('failed_auth')).toBe(before + 3);
      // One warning names the address when it reaches the limit, not one per refusal.
      const warnings = t.logs.filter((line) => line.includes('"limit":"failed_auth"') && line.includes(client));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0])).toMatchObject({ level: 40, client, limit: 'failed_auth' });
    });

    it('refuses an address over the limit before looking a key up: a valid key it never used gets 429', async () => {
      const client = newClient();
      const { apiKey: owner, tenantId, memberToken } = await tenantWithMember('Never used');
      const created = await t.request('POST', '/tenants/current/api-keys', {
        token: owner,
        body: { name: 'unused', role: 'member' },
        ...from(newClient()),
      });
      const apiKey = created.body.key as string;
      await failAuthentication(client);
      expectRateLimited(await t.request('GET', '/tenants/current', { token: apiKey, ...from(client) }));
      expectRateLimited(await t.request('GET', '/tenants/current', { token: memberToken, tenantId, ...from(client) }));
      // Another address is a client of its own.
      const elsewhere = newClient();
      expect((await t.request('GET', '/tenants/current', { token: apiKey, ...from(elsewhere) })).status).toBe(200);
      const member = await t.request('GET', '/tenants/current', { token: memberToken, tenantId, ...from(elsewhere) });
      expect(member.status).toBe(200);
    });

    it('counts only credentials that fail: never a success, nor a request without credentials', async () => {
      const client = newClient();
      for (let i = 0; i < 2 * FAILED_AUTH_LIMIT; i++) {
        const response = await t.request('GET', '/tenants/current', from(client));
        expect([response.status, response.body.error.code]).toEqual([401, 'unauthenticated']);
      }
      const { apiKey, tenantId, memberToken } = await tenantWithMember('Busy');
      for (let i = 0; i < 10 * FAILED_AUTH_LIMIT; i++) {
        expect((await t.request('GET', '/tenants/current', { token: apiKey, ...from(client) })).status).toBe(200);
        const member = await t.request('GET', '/tenants/current', { token: memberToken, tenantId, ...from(client) });
        expect(member.status).toBe(200);
      }
      await failAuthentication(client);
      expectRateLimited(await t.request('GET', '/tenants/current', { token: UNKNOWN_KEY, ...from(client) }));
    });

    it('counts an IPv6 client by its /64, so moving to another address in it starts nothing afresh', async () => {
      const network = `2001:db8:${++last}:1`;
      for (let i = 1; i <= FAILED_AUTH_LIMIT; i++) {
        const response = await t.request('GET', '/tenants/current', {
          token: UNKNOWN_KEY,
          ...from(`${network}::${i}`),
        });
        expect(response.status).toBe(401);
      }
      expectRateLimited(
        await t.request('GET', '/tenants/current', { token: UNKNOWN_KEY, ...from(`${network}::ffff`) }),
      );
      const neighbour = await t.request('GET', '/tenants/current', {
        token: UNKNOWN_KEY,
        ...from(`2001:db8:${last}:2::1`),
      });
      expect(neighbour.status).toBe(401);
    });

    it('keeps serving a key the client is already using while its address is over the limit', async () => {
      const client = newClient();
      const { apiKey } = await t.createTenant('Metered');
      expect((await t.request('GET', '/tenants/current', { token: apiKey, ...from(client) })).status).toBe(200);
      await failAuthentication(client);
      expectRateLimited(await t.request('GET', '/tenants/current', { token: UNKNOWN_KEY, ...from(client) }));
      expect((await t.request('GET', '/tenants/current', { token: apiKey, ...from(client) })).status).toBe(200);
    });
  });

  describe('public routes', () => {
    it('share one budget per address, then answer 429 rate_limited with Retry-After', async () => {
      const client = newClient();
      const before = await refusals('public');
      for (let i = 0; i < PUBLIC_LIMIT - 1; i++)
        expect((await t.request('GET', '/billing/plans', from(client))).status).toBe(200);
      expect((await t.request('GET', '/llms.txt', from(client))).status).toBe(200);
      expectRateLimited(await t.request('GET', '/billing/plans', from(client)));
      expectRateLimited(await t.request('GET', '/llms.txt', from(client)));
      expectRateLimited(await t.request('GET', '/metrics', from(client)));
      expect(await refusals('public')).toBe(before + 3);
      expect((await t.request('GET', '/billing/plans', from(newClient()))).status).toBe(200);
    });

    it('never limit the health probes or Stripe’s webhook deliveries', async () => {
      const client = newClient();
      for (let i = 0; i < PUBLIC_LIMIT; i++) await t.request('GET', '/billing/plans', from(client));
      expectRateLimited(await t.request('GET', '/billing/plans', from(client)));
      for (let i = 0; i < 2 * PUBLIC_LIMIT; i++) {
        expect((await t.request('GET', '/health', from(client))).status).toBe(200);
        expect((await t.request('GET', '/health/ready', from(client))).status).toBe(200);
        const webhook = await t.request('POST', '/billing/webhook', { body: { id: 'evt_unsigned' }, ...from(client) });
        expect([webhook.status, webhook.body.error.code]).toEqual([400, 'invalid_signature']);
      }
    });
  });
});

describe('per-client limits without TRUST_PROXY', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(LIMITS);
  });
  afterAll(() => t.close());

  it('ignore X-Forwarded-For, which any client could forge: the connection’s address is the client', async () => {
    for (let i = 0; i < FAILED_AUTH_LIMIT; i++) {
      const response = await t.request('GET', '/tenants/current', {
        token: UNKNOWN_KEY,
        headers: { 'x-forwarded-for': newClient() },
      });
      expect(response.status).toBe(401);
    }
    expectRateLimited(
      await t.request('GET', '/tenants/current', { token: UNKNOWN_KEY, headers: { 'x-forwarded-for': newClient() } }),
    );
  });
});
