import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startBillingApp, type BillingTestApp } from '../support/billing-app.js';

const SRC = path.resolve(import.meta.dirname, '../../src');
const SOME_UUID = '00000000-0000-4000-8000-000000000000';

/** Every error code declared anywhere in src, read from the *.errors.ts files themselves. */
async function declaredErrorCodes(): Promise<Map<string, number>> {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.errors.ts'));
  expect(files.length).toBeGreaterThanOrEqual(4);
  const codes = new Map<string, number>();
  for (const file of files) {
    const module = (await import(pathToFileURL(path.join(SRC, file)).href)) as Record<
      string,
      { codes?: Record<string, { status: number }> }
    >;
    for (const exported of Object.values(module))
      for (const [code, info] of Object.entries(exported.codes ?? {})) codes.set(code, info.status);
  }
  return codes;
}

/** The routes Fastify really serves, from its own route tree (Swagger UI's assets aside). */
function servedRoutes(t: BillingTestApp): string[] {
  const tree = t.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1].length / 4;
    stack.length = depth;
    stack.push(match[2]);
    const url = stack.join('');
    for (const method of match[3]?.split(', ') ?? [])
      if (method !== 'HEAD' && !url.startsWith('/docs')) routes.push(`${method} ${url.replace(/:(\w+)/g, '{$1}')}`);
  }
  return routes.sort();
}

describe('OpenAPI document', () => {
  let t: BillingTestApp;
  let document: any;
  const operations = () =>
    Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([url, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        key: `${method.toUpperCase()} ${url}`,
        url,
        method,
        operation,
      })),
    );
  beforeAll(async () => {
    t = await startBillingApp();
    document = (await t.request('GET', '/docs-json')).body;
  });
  afterAll(() => t.close());

  it('lists every route the service serves, and only those', () => {
    const served = servedRoutes(t);
    expect(served.length).toBeGreaterThan(35);
    expect(served).toContain('POST /billing/webhook');
    expect(
      operations()
        .map((o) => o.key)
        .sort(),
    ).toEqual(served);
  });

  it('gives each operation a summary an agent or a person can act on', () => {
    const missing = operations()
      .filter((o) => !o.operation.summary)
      .map((o) => o.key);
    expect(missing).toEqual([]);
  });

  it('names the auth scheme of every operation, as the guards really enforce it', async () => {
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual([
      'api_key',
      'stripe_signature',
      'user_jwt',
    ]);
    const byKey = new Map(operations().map((o) => [o.key, o.operation]));
    expect(byKey.get('GET /billing/plans').security).toEqual([]);
    expect(byKey.get('POST /billing/webhook').security).toEqual([{ stripe_signature: [] }]);
    expect(byKey.get('PUT /admin/tenants/{id}/comp').security).toEqual([{ user_jwt: [] }]);
    expect(byKey.get('POST /billing/checkout').security).toEqual([{ api_key: [] }, { user_jwt: [] }]);

    // Without credentials, a documented-as-protected route refuses and a public one does not.
    for (const { url, method, operation } of operations()) {
      const response = await fetch(`${t.baseUrl}${url.replace(/\{\w+\}/g, SOME_UUID)}`, {
        method: method.toUpperCase(),
        headers: method === 'get' ? {} : { 'content-type': 'application/json' },
        body: method === 'get' ? undefined : '{}',
      });
      const status = response.status;
      await response.body?.cancel();
      const schemes = (operation.security as Array<Record<string, unknown>>).flatMap((s) => Object.keys(s));
      if (schemes.includes('stripe_signature')) expect([url, status]).toEqual([url, 400]);
      else if (schemes.length > 0) expect([url, status]).toEqual([url, 401]);
      else expect([url, status]).not.toEqual([url, 401]);
    }
  });

  it('catalogues every error code the code declares, with its status, and refers error responses to it', async () => {
    const declared = await declaredErrorCodes();
    const schema = document.components.schemas.ErrorResponse;
    expect(schema.properties.error.properties.code.enum.sort()).toEqual([...declared.keys()].sort());
    for (const { code, status } of document['x-error-codes'])
      expect([code, status]).toEqual([code, declared.get(code)]);
    const summarize = document.paths['/v1/summarize'].post.responses;
    expect(summarize['402'].description).toMatch(/quota_exceeded/);
    expect(summarize['429'].description).toMatch(/rate_limited/);
    expect(summarize['401'].content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorResponse');
    expect(document.paths['/audit'].get.responses['403'].description).toMatch(/forbidden_role/);
    expect(document.info.description).toContain('| `downgrade_pending` | 409 |');
  });

  it('documents 429 rate_limited wherever a service limit can refuse, and not on the probes or the webhook', () => {
    const limited = (path: string, method: 'get' | 'post') =>
      document.paths[path][method].responses['429']?.description ?? '';
    for (const [path, method] of [
      ['/billing/checkout', 'post'],
      ['/billing/subscription/change', 'post'],
      ['/billing/stream', 'get'],
      ['/tenants/current', 'get'],
      ['/billing/plans', 'get'],
    ] as const)
      expect([path, limited(path, method)]).toEqual([path, expect.stringMatching(/rate_limited/)]);
    for (const [path, method] of [
      ['/health', 'get'],
      ['/health/ready', 'get'],
      ['/billing/webhook', 'post'],
    ] as const)
      expect([path, limited(path, method)]).toEqual([path, '']);
  });

  it('documents the stream’s payload and a header once however it is read', () => {
    const stream = document.paths['/billing/stream'].get;
    expect(stream.responses['200'].content['text/event-stream'].schema.$ref).toBe(
      '#/components/schemas/BillingEventPayload',
    );
    expect(Object.keys(document.components.schemas.BillingEventPayload.properties).sort()).toEqual([
      'data',
      'env',
      'id',
      'occurred_at',
      'tenant_id',
      'type',
    ]);
    const headers = stream.parameters.filter(
      (p: { in: string; name: string }) => p.in === 'header' && p.name.toLowerCase() === 'last-event-id',
    );
    expect(headers).toHaveLength(1);
    expect(headers[0].required).toBe(false);
    expect(stream.responses['400'].description).toMatch(/validation_failed/);
    const checkoutKeys = document.paths['/billing/checkout'].post.parameters.filter(
      (p: { in: string; name: string }) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key',
    );
    expect(checkoutKeys.map((p: { required: boolean }) => p.required)).toEqual([false]);
  });

  it('serves the interactive page at /docs', async () => {
    const response = await t.request('GET', '/docs');
    expect(response.status).toBe(200);
    expect(String(response.body)).toContain('swagger-ui');
  });
});
