import { PLANS } from '../../src/plans/plans.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** /llms.txt and /llms-full.txt: the API for AI agents, built from the running service. */
describe('llms.txt', () => {
  let t: TestApp;
  let brief: string;
  let full: string;
  beforeAll(async () => {
    t = await startTestApp({ APP_URL: 'https://billing.example.com' });
    const [a, b] = await Promise.all([fetch(`${t.baseUrl}/llms.txt`), fetch(`${t.baseUrl}/llms-full.txt`)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(b.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    [brief, full] = await Promise.all([a.text(), b.text()]);
  });
  afterAll(() => t.close());

  it('is an llmstxt.org file: a title, a summary, and links to the full reference and the OpenAPI document', () => {
    const lines = brief.split('\n');
    expect(lines[0]).toMatch(/^# \S/);
    expect(lines.find((line) => line.startsWith('> '))).toMatch(/quota.*402.*429/);
    expect(brief).toContain('](https://billing.example.com/llms-full.txt)');
    expect(brief).toContain('](https://billing.example.com/docs-json)');
    expect(brief).toMatch(/^## Docs$/m);
    expect(brief).toMatch(/^- `POST \/billing\/checkout` \[owner, admin\] /m);
    expect(brief).toMatch(/^- `GET \/billing\/status` \[any member\] /m);
  });

  it('lists every endpoint with who may call it', async () => {
    const document = (await t.request('GET', '/docs-json')).body;
    const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(
      ([url, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${url}`),
    );
    expect(operations.length).toBeGreaterThan(30);
    for (const operation of operations.filter((o) => !o.endsWith('.txt')))
      expect(full).toMatch(new RegExp(`^- \`${operation.replace(/[{}/.]/g, '\\$&')}\` \\[[^\\]]+\\] \\S`, 'm'));
    expect(full).toContain('- `PUT /admin/tenants/{id}/comp` [platform operator, user JWT]');
    expect(full).toContain('Body: `{text: string, mode?: "brief"|"bullets"|"detailed", model?: string}`');
  });

  it('states auth, every plan with its numbers, and the credit headers', () => {
    expect(full).toMatch(/Authorization: Bearer bk_test_/);
    expect(full).toContain('X-Tenant-Id');
    for (const plan of PLANS) {
      const row = full.split('\n').find((line) => line.startsWith(`| ${plan.id} |`));
      expect(row).toContain(plan.monthlyCharacters.toLocaleString('en-US'));
      expect(row).toContain(`$${(plan.priceCents / 100).toFixed(2)}`);
      for (const feature of plan.features) expect(row).toContain(feature);
    }
    for (const header of [
      'X-Credits-Total',
      'X-Credits-Used',
      'X-Credits-Remaining',
      'X-Credits-Cost',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
      'Retry-After',
    ])
      expect(full).toContain(`\`${header}\``);
  });

  it('lists every error code with its status', async () => {
    const codes = (await t.request('GET', '/docs-json')).body['x-error-codes'] as Array<{
      code: string;
      status: number;
    }>;
    expect(codes.length).toBeGreaterThan(40);
    for (const { code, status } of codes) expect(full).toContain(`| \`${code}\` | ${status} |`);
  });

  it('spells out the upgrade flow: status, then a checkout URL for a person, then credits on the webhook', () => {
    const flow = full.slice(full.indexOf('## The upgrade flow'), full.indexOf('## Billing event stream'));
    const steps = [
      'GET https://billing.example.com/billing/status',
      'POST https://billing.example.com/billing/checkout',
      'to a person',
      'webhook',
      'entitlement.updated',
    ];
    const positions = steps.map((step) => flow.indexOf(step));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('says how to use the billing event stream', () => {
    expect(full).toContain('GET https://billing.example.com/billing/stream');
    expect(full).toContain('Last-Event-ID');
    expect(full).toContain('`usage.threshold_reached`');
  });
});
