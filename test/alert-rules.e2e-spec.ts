import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { type BillingTestApp, startBillingApp } from './support/billing-app.js';

const RULES_FILE = 'docs/alerts/billing-rules.yml';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string; description?: string };
}

const rules = (): Rule[] =>
  (parse(readFileSync(RULES_FILE, 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> }).groups.flatMap(
    (group) => group.rules,
  );
/** The metrics an expression reads; quoted label values (`limit="stripe_route"`) are not metrics. */
const metricNames = (expr: string) => [
  ...new Set(
    [...expr.replace(/"[^"]*"/g, '').matchAll(/\b(?:stripe|billing|http)_[a-z_]+\b/g)].map(([name]) =>
      name.replace(/_(bucket|sum|count)$/, ''),
    ),
  ),
];
const promtool = (() => {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('alert rules', () => {
  it('is a well-formed Prometheus rules file', () => {
    const parsed = parse(readFileSync(RULES_FILE, 'utf8'));
    expect(Array.isArray(parsed.groups) && parsed.groups.length > 0).toBe(true);
    for (const group of parsed.groups) expect([typeof group.name, group.rules.length > 0]).toEqual(['string', true]);
    const all = rules();
    expect(new Set(all.map((rule) => rule.alert)).size).toBe(all.length);
    for (const rule of all) {
      expect(rule.alert).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(rule.labels.severity).toMatch(/^(info|warning|critical)$/);
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
      if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smh]$/);
      for (const [open, close] of ['()', '[]', '{}'])
        expect(rule.expr.split(open).length).toBe(rule.expr.split(close).length);
      expect(metricNames(rule.expr).length).toBeGreaterThan(0);
    }
  });

  it.runIf(promtool)('passes promtool check rules', () => {
    expect(() => execFileSync('promtool', ['check', 'rules', RULES_FILE], { stdio: 'pipe' })).not.toThrow();
  });

  describe('against the running service', () => {
    let t: BillingTestApp;
    beforeAll(async () => {
      t = await startBillingApp();
    });
    afterAll(() => t.close());

    it('uses only metrics that /metrics really exports', async () => {
      const exported = (await t.request('GET', '/metrics')).body as string;
      const used = [...new Set(rules().flatMap((rule) => metricNames(rule.expr)))];
      expect(used.length).toBeGreaterThanOrEqual(8);
      expect(used.filter((name) => !exported.includes(`# TYPE ${name} `))).toEqual([]);
    });

    it('reports how long the oldest unreported overage has waited', async () => {
      const gauge = async () =>
        Number(
          ((await t.request('GET', '/metrics')).body as string).match(
            /^billing_overage_unreported_oldest_seconds (\S+)$/m,
          )?.[1],
        );
      expect(await gauge()).toBe(0);
      const { tenantId } = await t.createTenant('Overage Lag Co');
      await t.query(
        "INSERT INTO overage_outbox (tenant_id, env, meter, request_key, quantity, created_at) VALUES ($1, 'test', 'characters', 'lag-check', 5, now() - interval '2 hours')",
        [tenantId],
      );
      const seconds = await gauge();
      expect(seconds).toBeGreaterThanOrEqual(7_200);
      expect(seconds).toBeLessThan(7_300);
    });
  });
});
