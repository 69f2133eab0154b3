import { SignJWT } from 'jose';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';

describe('authentication', () => {
  let t: TestApp;
  let tenant: { tenantId: string; apiKey: string };
  beforeAll(async () => {
    t = await startTestApp();
    tenant = await t.createTenant('Auth Co');
  });
  afterAll(() => t.close());

  it('rejects a request without credentials', async () => {
    const response = await t.request('GET', '/tenants/current');
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('unauthenticated');
  });

  it('rejects a non-Bearer scheme', async () => {
    const response = await t.request('GET', '/tenants/current', {
      headers: { authorization: `Basic ${tenant.apiKey}` },
    });
    expect(response.status).toBe(401);
  });

  it('accepts an API key and takes tenant and env from it', async () => {
    const response = await t.request('GET', '/tenants/current', { token: tenant.apiKey });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: tenant.tenantId, env: 'test', role: 'owner' });
  });

  it('rejects unknown and malformed API keys alike', async () => {
    for (const token of ['bk_test_short', `bk_test_${'A'.repeat(43)}`]) {
      const response = await t.request('GET', '/tenants/current', { token });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('invalid_api_key');
    }
  });

  it('records when a key was last used', async () => {
    await t.request('GET', '/tenants/current', { token: tenant.apiKey });
    await vi.waitFor(async () => {
      const [row] = await t.query('SELECT last_used_at FROM api_keys WHERE tenant_id = $1', [tenant.tenantId]);
      expect(row.last_used_at).not.toBeNull();
    });
  });

  it('refuses an X-Env that contradicts the key', async () => {
    const response = await t.request('GET', '/tenants/current', { token: tenant.apiKey, env: 'live' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('env_mismatch');
  });

  it('refuses an X-Tenant-ID that is not the key’s tenant', async () => {
    const other = await t.createTenant('Other');
    const response = await t.request('GET', '/tenants/current', { token: tenant.apiKey, tenantId: other.tenantId });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('not_a_member');
  });

  it('creates a user on first JWT sign-in and finds them again by sub', async () => {
    const token = await t.mintToken('idp|first-sign-in', 'First@Example.com');
    const first = await t.request('POST', '/tenants', { token, body: { name: 'Mine' } });
    const second = await t.request('POST', '/tenants', { token, body: { name: 'Mine too' } });
    expect([first.status, second.status]).toEqual([201, 201]);
    const users = await t.query("SELECT email FROM users WHERE subject = 'idp|first-sign-in'");
    expect(users).toEqual([{ email: 'first@example.com' }]);
  });

  it('links an invited user to their token by email', async () => {
    const owner = await t.createTenant('Inviter');
    await t.request('POST', '/tenants/current/members', {
      token: owner.apiKey,
      body: { email: 'invitee@example.com', role: 'member' },
    });
    const token = await t.mintToken('idp|invitee', 'invitee@example.com');
    const response = await t.request('GET', '/tenants/current', { token, tenantId: owner.tenantId });
    expect(response.status).toBe(200);
    expect(response.body.role).toBe('member');
  });

  it('never links an invited user through an unverified email, nor stores such an email', async () => {
    const owner = await t.createTenant('Careful');
    await t.request('POST', '/tenants/current/members', {
      token: owner.apiKey,
      body: { email: 'victim@example.com', role: 'admin' },
    });
    const squatter = await t.mintToken('idp|squatter', 'victim@example.com', { email_verified: false });
    const claim = await t.request('GET', '/tenants/current', { token: squatter, tenantId: owner.tenantId });
    expect(claim.status).toBe(403);
    const [user] = await t.query("SELECT email FROM users WHERE subject = 'idp|squatter'");
    expect(user.email).toBeNull();
    const [invited] = await t.query("SELECT subject FROM users WHERE email = 'victim@example.com'");
    expect(invited.subject).toBeNull();
  });

  it('rejects a token whose sub is not a string', async () => {
    const token = await new SignJWT({ sub: { id: 1 } } as never)
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const response = await t.request('POST', '/tenants', { token, body: { name: 'x' } });
    expect([response.status, response.body.error.code]).toEqual([401, 'invalid_token']);
  });

  it('uses X-Env for JWT requests and DEFAULT_ENV without it', async () => {
    const token = await t.mintToken('idp|env-user', 'env-user@example.com');
    const created = await t.request('POST', '/tenants', { token, body: { name: 'Env Co' } });
    const withoutHeader = await t.request('GET', '/tenants/current', { token, tenantId: created.body.id });
    const live = await t.request('GET', '/tenants/current', { token, tenantId: created.body.id, env: 'live' });
    expect(withoutHeader.body.env).toBe('test');
    expect(live.body.env).toBe('live');
  });

  it('rejects an invalid X-Env or X-Tenant-ID with a coded 400', async () => {
    const token = await t.mintToken('idp|headers', 'headers@example.com');
    const badEnv = await t.request('GET', '/tenants/current', { token, env: 'staging' });
    const badTenant = await t.request('GET', '/tenants/current', { token, tenantId: 'not-a-uuid' });
    expect([badEnv.status, badEnv.body.error.code]).toEqual([400, 'invalid_env']);
    expect([badTenant.status, badTenant.body.error.code]).toEqual([400, 'invalid_tenant_header']);
  });

  it('asks for a tenant when a JWT request to a tenant route names none', async () => {
    const token = await t.mintToken('idp|no-tenant', 'no-tenant@example.com');
    const response = await t.request('GET', '/tenants/current', { token });
    expect([response.status, response.body.error.code]).toEqual([400, 'tenant_required']);
  });

  it('refuses a JWT user who is not a member of the tenant', async () => {
    const token = await t.mintToken('idp|stranger', 'stranger@example.com');
    const response = await t.request('GET', '/tenants/current', { token, tenantId: tenant.tenantId });
    expect([response.status, response.body.error.code]).toEqual([403, 'not_a_member']);
  });

  const now = () => Math.floor(Date.now() / 1000);
  /** An HS256 token with just the claims given (`exp` as seconds or a jose duration such as '1h'). */
  const token = (claims: { sub?: string; exp?: number | string; iat?: number; secret?: string }) => {
    let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' });
    if (claims.sub) jwt = jwt.setSubject(claims.sub);
    if (claims.iat !== undefined) jwt = jwt.setIssuedAt(claims.iat);
    if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
    return jwt.sign(new TextEncoder().encode(claims.secret ?? TEST_JWT_SECRET));
  };

  it.each([
    ['an expired token', () => token({ sub: 'x', exp: now() - 60 })],
    ['a token without exp', () => token({ sub: 'x' })],
    ['a token without sub', () => token({ exp: '1h' })],
    [
      'a token signed with another secret',
      () => token({ sub: 'x', exp: '1h', secret: 'another-secret-another-secret-another' }),
    ],
    [
      'a token that claims to live longer than JWT_MAX_AGE_SECONDS (exp: 1e308 was accepted)',
      () => token({ sub: 'x', iat: now(), exp: now() + 86_400 * 365 }),
    ],
    [
      'a token issued longer ago than JWT_MAX_AGE_SECONDS, though not yet expired',
      () => token({ sub: 'x', iat: now() - 2 * 86_400, exp: '1h' }),
    ],
    ['garbage', async () => 'not.a.jwt'],
  ])('rejects %s', async (_name, makeToken) => {
    const response = await t.request('POST', '/tenants', { token: await makeToken(), body: { name: 'x' } });
    expect([response.status, response.body.error.code]).toEqual([401, 'invalid_token']);
  });
});

describe('authentication with issuer and audience configured', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ JWT_ISSUER: 'https://idp.example.com/', JWT_AUDIENCE: 'billing-api' });
  });
  afterAll(() => t.close());

  const sign = (claims: { iss?: string; aud?: string }) => {
    let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('idp|iss-aud').setExpirationTime('1h');
    if (claims.iss) jwt = jwt.setIssuer(claims.iss);
    if (claims.aud) jwt = jwt.setAudience(claims.aud);
    return jwt.sign(new TextEncoder().encode(TEST_JWT_SECRET));
  };

  it('accepts the configured issuer and audience', async () => {
    const token = await sign({ iss: 'https://idp.example.com/', aud: 'billing-api' });
    expect((await t.request('POST', '/tenants', { token, body: { name: 'ok' } })).status).toBe(201);
  });

  it.each([
    ['wrong issuer', { iss: 'https://evil.example.com/', aud: 'billing-api' }],
    ['wrong audience', { iss: 'https://idp.example.com/', aud: 'other-api' }],
    ['missing both', {}],
  ])('rejects a token with %s', async (_name, claims) => {
    const response = await t.request('POST', '/tenants', { token: await sign(claims), body: { name: 'no' } });
    expect(response.status).toBe(401);
  });
});
