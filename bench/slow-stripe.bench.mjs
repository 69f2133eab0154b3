// npm run bench:slow-stripe — does a slow Stripe reach the metered path? autocannon at concurrency
// 50 (from a separate process) against POST /v1/summarize, three times: with Stripe answering
// normally, then with every Stripe call taking 8 s while 50 checkouts, plan changes and webhook
// syncs are kept in flight on the same instance, then normally again. Target: the slow run keeps
// at least 80% of the normal runs' throughput, with no 5xx and /health/ready answering 200 all along.
// Then Stripe hangs outright, and it times how long a plan change takes to get a coded answer
// (target: under 15 s).
import { randomUUID } from 'node:crypto';
import { ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import { TenantsService } from '../dist/src/identity/tenants.service.js';
import { loadFromAnotherProcess, startBenchApp } from './support.mjs';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 40_000);
const IN_FLIGHT = 50;
const STRIPE_DELAY_MS = 8_000;
const TEXT = 'Metering decides in Postgres. One row, one statement.';

process.env.DATABASE_POOL_SIZE ??= '30';
const bench = await startBenchApp();
const { app, baseUrl, stripeClient } = bench;
const db = app.get(DataSource);
const emulatorUrl = `http://127.0.0.1:${stripeClient._api.port}`;
const control = (path, body) =>
  fetch(`${emulatorUrl}/_emulator/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const call = async (method, path, key, body) => {
  const started = Date.now();
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    ms: Date.now() - started,
    code: text.includes('"code"') ? JSON.parse(text).error?.code : undefined,
  };
};

async function tenant(name) {
  const created = await app
    .get(ClsService)
    .run(() => app.get(TenantsService).provision(name, `${randomUUID()}@example.com`, 'test'));
  return { key: created.api_key, tenantId: created.tenant_id };
}

/** A tenant on Starter, bought as a person buys it: checkout, then Pay on the emulator's hosted page. */
async function subscribed(name) {
  const t = await tenant(name);
  const checkout = await fetch(`${baseUrl}/billing/checkout`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ plan_id: 'starter' }),
  }).then((r) => r.json());
  await fetch(checkout.url, {
    method: 'POST',
    body: new URLSearchParams({ card_number: '4242424242424242' }),
    redirect: 'manual',
  });
  return t;
}

async function waitForSubscriptions(tenants) {
  for (;;) {
    const [{ count }] = await db.query(
      "SELECT count(*)::int AS count FROM subscriptions WHERE tenant_id = ANY($1::uuid[]) AND status = 'active'",
      [tenants.map((t) => t.tenantId)],
    );
    if (count === tenants.length) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// The metered tenant: an enterprise comp, so every request is a 200 and the run measures metering.
const metered = await tenant('Metered');
await db.query(
  `INSERT INTO entitlements (tenant_id, env, plan_id, status, source, current_period_start, current_period_end, comped, comp_plan_id, comp_reason)
   VALUES ($1, 'test', 'enterprise', 'active', 'comp', date_trunc('month', now()), date_trunc('month', now()) + interval '1 month', true, 'enterprise', 'benchmark')`,
  [metered.tenantId],
);
const changers = [];
for (let i = 0; i < 40; i++) changers.push(await subscribed(`Changer ${i}`));
const buyers = [];
for (let i = 0; i < 40; i++) buyers.push(await tenant(`Buyer ${i}`));
await waitForSubscriptions(changers);
const subscriptions = await Promise.all(
  changers.map(async (t) => {
    const [row] = await db.query('SELECT stripe_subscription_id FROM subscriptions WHERE tenant_id = $1', [t.tenantId]);
    return stripeClient.subscriptions.retrieve(row.stripe_subscription_id);
  }),
);

const meteredRequest = {
  method: 'POST',
  headers: { authorization: `Bearer ${metered.key}`, 'content-type': 'application/json' },
  body: JSON.stringify({ text: TEXT }),
};
const measure = async () => {
  const result = await loadFromAnotherProcess(`${baseUrl}/v1/summarize`, [meteredRequest], 50, REQUESTS);
  return {
    requests_per_second: Math.round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    non_2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
};

/** A signed customer.subscription.updated, as Stripe would send it: the worker re-reads Stripe for it. */
async function webhookSync(subscription) {
  const payload = JSON.stringify({
    id: `evt_bench_${randomUUID().replaceAll('-', '')}`,
    object: 'event',
    type: 'customer.subscription.updated',
    livemode: false,
    created: Math.floor(Date.now() / 1000),
    api_version: '2026-10-28.endive',
    data: { object: subscription },
  });
  const signature = stripeClient.webhooks.generateTestHeaderString({ payload, secret: bench.webhookSecret });
  const started = Date.now();
  const response = await fetch(`${baseUrl}/billing/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body: payload,
  });
  return { status: response.status, ms: Date.now() - started };
}

/** Keeps IN_FLIGHT Stripe-bound operations going (a third each: checkouts, plan changes, webhook syncs) until stopped. */
function slowStripeTraffic() {
  let running = true;
  const outcomes = { checkout: [], plan_change: [], webhook: [] };
  let turn = 0;
  const next = () => {
    const i = turn++;
    const kind = ['checkout', 'plan_change', 'webhook'][i % 3];
    const work =
      kind === 'checkout'
        ? call('POST', '/billing/checkout', buyers[i % buyers.length].key, { plan_id: 'pro' })
        : kind === 'plan_change'
          ? call('POST', '/billing/subscription/change', changers[i % changers.length].key, {
              plan_id: i % 2 ? 'pro' : 'enterprise',
            })
          : webhookSync(subscriptions[i % subscriptions.length]);
    return work.then((outcome) => {
      outcomes[kind].push(outcome);
      if (running) return next();
    });
  };
  const lanes = Array.from({ length: IN_FLIGHT }, () => next());
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(lanes);
    },
  };
}

function readinessProbe() {
  const statuses = {};
  let running = true;
  const loop = (async () => {
    while (running) {
      const response = await fetch(`${baseUrl}/health/ready`);
      await response.arrayBuffer();
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  return {
    statuses,
    async stop() {
      running = false;
      await loop;
    },
  };
}

const summarise = (outcomes) => {
  const byStatus = {};
  for (const o of outcomes)
    byStatus[`${o.status}${o.code ? ` ${o.code}` : ''}`] =
      (byStatus[`${o.status}${o.code ? ` ${o.code}` : ''}`] ?? 0) + 1;
  const ms = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  return { count: outcomes.length, by_status: byStatus, slowest_answer_ms: ms.at(-1) ?? null };
};

await measure(); // warm-up: the JIT, the pool, the load generator
const before = await measure();

await control('latency', { ms: STRIPE_DELAY_MS });
const readiness = readinessProbe();
const traffic = slowStripeTraffic();
// Let all 50 reach Stripe (and any connection they would hold be taken) before measuring.
await new Promise((resolve) => setTimeout(resolve, 1_000));
const [{ idle_in_transaction: idleInTransaction }] = await db.query(
  "SELECT count(*)::int AS idle_in_transaction FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
);
const slow = await measure();
await traffic.stop();
await readiness.stop();
await control('latency', { ms: 0 });

const after = await measure();

// Stripe hangs: how long until a plan change gets a coded answer?
await control('faults', { count: 1_000, mode: 'hang', hang_ms: 60_000, method: 'POST' });
const hung = await Promise.all(
  changers.slice(0, 5).map((t) => call('POST', '/billing/subscription/change', t.key, { plan_id: 'enterprise' })),
);
await control('faults', { count: 0 });

const normal = (before.requests_per_second + after.requests_per_second) / 2;
const report = {
  metered_without_slow_stripe: { before, after },
  metered_with_50_slow_stripe_calls: slow,
  ratio: Number((slow.requests_per_second / normal).toFixed(2)),
  connections_idle_in_transaction_during_slow_run: idleInTransaction,
  readiness_during_slow_run: readiness.statuses,
  stripe_bound_operations: {
    checkout: summarise(traffic.outcomes.checkout),
    plan_change: summarise(traffic.outcomes.plan_change),
    webhook: summarise(traffic.outcomes.webhook),
  },
  plan_change_while_stripe_hangs: summarise(hung),
};
console.log(JSON.stringify(report, null, 2));
const fiveXx = slow.non_2xx > 0 || slow.errors > 0;
const readyOnly200 = Object.keys(readiness.statuses).every((status) => status === '200');
console.log(
  `metered: ${Math.round(normal)} req/s normally, ${slow.requests_per_second} req/s beside 50 Stripe calls of 8 s: ${report.ratio}× (target ≥ 0.8); ` +
    `non-2xx ${slow.non_2xx}, errors ${slow.errors}; readiness ${JSON.stringify(readiness.statuses)}; ` +
    `a plan change while Stripe hangs answers in ${report.plan_change_while_stripe_hangs.slowest_answer_ms} ms at most (target < 15,000)`,
);
await bench.stop();
process.exit(
  report.ratio >= 0.8 && !fiveXx && readyOnly200 && report.plan_change_while_stripe_hangs.slowest_answer_ms < 15_000
    ? 0
    : 1,
);
