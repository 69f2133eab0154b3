// npm run bench:metered — autocannon at concurrency 50 (from a separate process) against
// POST /v1/summarize for (a) one hot tenant and (b) 1,000 tenants, and in the same run the same
// app's unmetered GET /billing/plans as the baseline. Checks that final usage equals the number of
// 200s. Targets on a 2-core machine: (a) ≥ 4,000 req/s, (b) ≥ 8,000 req/s, p99 < 30 ms, exact counts.
// Then, in the same run, the issue's own reference points (bench/reference-design.mjs), which show
// how fast the machine is running now.
import { randomUUID } from 'node:crypto';
import { ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { TenantsService } from '../dist/src/identity/tenants.service.js';
import { ISSUE_REFERENCE, measureReferenceDesign } from './reference-design.mjs';
import { loadFromAnotherProcess, startBenchApp } from './support.mjs';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 40_000);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 1_000);
const CONCURRENCY = 50;
const TEXT = 'Metering decides in Postgres. One row, one statement.';

const bench = await startBenchApp({ billing: false });
const { app, baseUrl } = bench;
const db = app.get(DataSource);

async function tenantsWithEnterprise(count) {
  const keys = [];
  for (let i = 0; i < count; i++) {
    const created = await app
      .get(ClsService)
      .run(() => app.get(TenantsService).provision(`Bench ${i}`, `metered-${i}-${randomUUID()}@example.com`, 'test'));
    keys.push({ key: created.api_key, tenantId: created.tenant_id });
  }
  // An enterprise comp: 10M characters a month, no hourly limit, so the run measures metering, not refusals.
  await db.query(
    `INSERT INTO entitlements (tenant_id, env, plan_id, status, source, current_period_start, current_period_end, comped, comp_plan_id, comp_reason)
     SELECT unnest($1::uuid[]), 'test', 'enterprise', 'active', 'comp', date_trunc('month', now()), date_trunc('month', now()) + interval '1 month', true, 'enterprise', 'benchmark'`,
    [keys.map((k) => k.tenantId)],
  );
  return keys;
}

const request = (key) => ({
  method: 'POST',
  headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
  body: JSON.stringify({ text: TEXT }),
});
const summary = (name, result) => ({
  name,
  requests_per_second: Math.round(result.requests.average),
  p50_ms: result.latency.p50,
  p99_ms: result.latency.p99,
  non_2xx: result.non2xx,
  errors: result.errors + result.timeouts,
  // Shares of one core: the app's event loop and the load generator's (which includes its start-up).
  app_cpu_share: result.app_cpu_share,
  load_cpu_share: Number(result.load_cpu_share.toFixed(2)),
});
/** The load from another process, with how much CPU this (the app's) process used meanwhile. */
async function measure(url, prepared) {
  const before = process.cpuUsage();
  const result = await loadFromAnotherProcess(url, prepared, CONCURRENCY, REQUESTS);
  const used = process.cpuUsage(before);
  return { ...result, app_cpu_share: Number(((used.user + used.system) / 1e6 / result.duration).toFixed(2)) };
}

const [hot] = await tenantsWithEnterprise(1);
const many = await tenantsWithEnterprise(TENANTS);
await loadFromAnotherProcess(
  `${baseUrl}/v1/summarize`,
  many.map((tenant) => request(tenant.key)),
  CONCURRENCY,
  2_000,
);
await db.query('TRUNCATE usage_counters');

// Each tenant's request, built once; the load generator spreads them over its connections.
const baseline = summary(
  'unmetered GET /billing/plans',
  await measure(`${baseUrl}/billing/plans`, [{ method: 'GET' }]),
);
const hotResult = await measure(`${baseUrl}/v1/summarize`, [request(hot.key)]);
const manyResult = await measure(
  `${baseUrl}/v1/summarize`,
  many.map((tenant) => request(tenant.key)),
);
const reference = await measureReferenceDesign(bench.databaseUrl, {
  connections: CONCURRENCY,
  requests: REQUESTS,
  body: JSON.stringify({ text: TEXT }),
});

const ratio = (result, to) => Number((result.requests.average / to.requests_per_second).toFixed(2));
const usedBy = async (ids) =>
  Number(
    (
      await db.query('SELECT coalesce(sum(used), 0) AS used FROM usage_counters WHERE tenant_id = ANY($1::uuid[])', [
        ids,
      ])
    )[0].used,
  );
/** Every request must have succeeded (the tenants have room to spare) and been charged exactly once. */
const exact = async (result, ids) =>
  result.non2xx === 0 && result.errors === 0 && (await usedBy(ids)) === result.requests.total * TEXT.length;
const report = {
  baseline,
  hot_tenant: {
    ...summary('(a) one hot tenant', hotResult),
    ratio_to_unmetered: ratio(hotResult, baseline),
    ratio_to_reference: ratio(hotResult, reference.hot_row),
    usage_exact: await exact(hotResult, [hot.tenantId]),
  },
  many_tenants: {
    ...summary(`(b) ${TENANTS} tenants`, manyResult),
    ratio_to_unmetered: ratio(manyResult, baseline),
    ratio_to_reference: ratio(manyResult, reference.thousand_rows),
    usage_exact: await exact(
      manyResult,
      many.map((k) => k.tenantId),
    ),
  },
  issue_reference_design: { ...reference, quoted_in_issue: ISSUE_REFERENCE },
};
console.log(JSON.stringify(report, null, 2));
for (const [label, r, target] of [
  ['(a) hot', report.hot_tenant, 4_000],
  ['(b) 1000 tenants', report.many_tenants, 8_000],
]) {
  console.log(
    `${label}: ${r.requests_per_second} req/s (target ≥ ${target}), p50 ${r.p50_ms} ms, p99 ${r.p99_ms} ms (target < 30), ${r.ratio_to_unmetered}× unmetered, ${r.ratio_to_reference}× the reference design, usage exact: ${r.usage_exact}; CPU app ${r.app_cpu_share}, load ${r.load_cpu_share}`,
  );
}
const quoted = (name, measured, inIssue) =>
  `${name} ${measured.requests_per_second.toLocaleString('en')} req/s (issue: ${inIssue.toLocaleString('en')})`;
console.log(
  `The issue's reference design, this run: ${quoted('bare Fastify', reference.bare, ISSUE_REFERENCE.bare)}; one UPDATE … RETURNING per request: ${quoted('one hot row', reference.hot_row, ISSUE_REFERENCE.hotRow)}, ${quoted('1,000 rows', reference.thousand_rows, ISSUE_REFERENCE.thousandRows)}`,
);
await bench.stop();
process.exit(report.hot_tenant.usage_exact && report.many_tenants.usage_exact && reference.usage_exact ? 0 : 1);
