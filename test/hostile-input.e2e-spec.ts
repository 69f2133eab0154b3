import { randomUUID } from 'node:crypto';
import { operatorToken } from './support/metering.js';
import { TENANT_ROUTES, routeName } from './support/tenant-routes.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** `levels` arrays inside one another, as JSON text: `[[[…]]]`. */
const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

describe('hostile input', () => {
  let t: TestApp;
  let owner: { tenantId: string; apiKey: string };
  let userToken: string;
  beforeAll(async () => {
    t = await startTestApp();
    owner = await t.createTenant('Hostile Input');
    userToken = await t.mintToken('idp|hostile', 'hostile@example.com');
  });
  afterAll(() => t.close());

  const expectValidationFailed = (response: { status: number; body: any }, field: string, problem: RegExp) => {
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'validation_failed', request_id: expect.any(String) });
    expect(response.body.error.details).toContainEqual({ field, problems: [expect.stringMatching(problem)] });
  };

  describe('deeply nested JSON', () => {
    const routesWithBodies = [
      { method: 'POST', path: '/tenants', token: () => userToken, body: { name: 'Deep' } },
      ...TENANT_ROUTES.filter((route) => route.body).map((route) => ({
        method: route.method,
        path: routeName(route).split(' ')[1].replace(':id', randomUUID()),
        token: () => owner.apiKey,
        body: route.body as Record<string, unknown>,
      })),
    ];

    it('is refused with 400 validation_failed on every route that takes a body (10,000 levels, 20 KB)', async () => {
      for (const route of routesWithBodies) {
        const fields = JSON.stringify(route.body).slice(1, -1);
        const response = await t.request(route.method, route.path, {
          token: route.token(),
          rawBody: `{${fields},"deep":${nested(10_000)}}`,
        });
        expectValidationFailed(response, 'body', /more than 64 deep/);
      }
    });

    it('is refused before any route or credential is looked at, up to the body limit (524,000 levels)', async () => {
      const response = await t.request('POST', '/usage/consume', { rawBody: nested(524_000) });
      expectValidationFailed(response, 'body', /more than 64 deep/);
    });

    it('still takes nesting up to the limit, and brackets inside strings do not count', async () => {
      const within = await t.request('POST', '/tenants', {
        token: userToken,
        rawBody: `{"name":"${'['.repeat(150)}","x":${nested(63)}}`,
      });
      // Past the nesting check: refused by the DTO for the unknown property, not for its depth.
      expectValidationFailed(within, 'x', /should not exist/);
    });
  });

  describe('NUL characters and unpaired surrogates', () => {
    const unstorable = { nul: 'a\u0000b', 'lone surrogate': 'a\ud800b', 'reversed pair': 'a\udc00\ud800b' };

    for (const [kind, text] of Object.entries(unstorable)) {
      it(`refuses a ${kind} in a tenant name, an API key name and a member's email, naming the field`, async () => {
        expectValidationFailed(
          await t.request('POST', '/tenants', { token: userToken, body: { name: text } }),
          'name',
          /NUL characters or unpaired UTF-16 surrogates/,
        );
        expectValidationFailed(
          await t.request('POST', '/tenants/current/api-keys', { token: owner.apiKey, body: { name: text } }),
          'name',
          /NUL characters or unpaired UTF-16 surrogates/,
        );
        expectValidationFailed(
          await t.request('POST', '/tenants/current/members', {
            token: owner.apiKey,
            body: { email: `${text}@example.com`, role: 'member' },
          }),
          'email',
          /NUL characters or unpaired UTF-16 surrogates/,
        );
      });
    }

    it('refuses them in a comp reason', async () => {
      const operator = await operatorToken(t);
      const response = await t.request('PUT', `/admin/tenants/${owner.tenantId}/comp`, {
        token: operator,
        body: { env: 'test', plan_id: 'pro', reason: 'because\u0000' },
      });
      expectValidationFailed(response, 'reason', /NUL characters/);
    });

    it('refuses them in property names, query parameters and path parameters', async () => {
      const key = await t.request('POST', '/tenants/current/api-keys', {
        token: owner.apiKey,
        body: { name: 'ok', 'x\u0000': 1 },
      });
      expectValidationFailed(key, 'x\u0000', /the name of x. must not contain NUL/);
      const query = await t.request('GET', '/audit?action=billing.%00', { token: owner.apiKey });
      expectValidationFailed(query, 'action', /NUL characters/);
      const param = await t.request('DELETE', '/tenants/current/api-keys/%00', { token: owner.apiKey });
      expectValidationFailed(param, 'id', /NUL characters/);
    });

    it('answers 401 for a signed JWT whose sub or email claim holds one', async () => {
      for (const [sub, email] of [
        ['idp|\u0000', 'fine@example.com'],
        ['idp|\ud800', 'fine@example.com'],
        ['idp|fine', 'x\u0000@example.com'],
      ]) {
        const response = await t.request('POST', '/tenants', {
          token: await t.mintToken(sub, email),
          body: { name: 'Claims' },
        });
        expect(response.status).toBe(401);
        expect(response.body.error).toMatchObject({
          code: 'invalid_token',
          message: expect.stringMatching(/claim contains a NUL character or an unpaired UTF-16 surrogate/),
        });
      }
    });
  });
});
