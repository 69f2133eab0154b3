// npm run bench:webhooks — signed Stripe deliveries at concurrency 50 against the real intake.
// Phase 1 measures intake alone (the worker paused): accepted events/s and acknowledgement latency.
// Phase 2 resumes the worker and measures processed events/s draining that backlog; each event
// makes it re-read a real subscription from the emulator (its own process, like a remote Stripe).
// Checks that every event was stored once and applied exactly once.
// Targets on a 2-core machine: ≥ 1,000 accepted/s with p99 < 50 ms, ≥ 300 processed/s.
import { ClsService } from 'nestjs-cls';
import { DataSource } from 'typeorm';
import Stripe from 'stripe';
import { TenantsService } from '../dist/src/identity/tenants.service.js';
import { WebhookProcessor } from '../dist/src/billing/webhooks/webhook-processor.js';
import { loadFromAnotherProcess, startBenchApp } from './support.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 50);
const CONCURRENCY = 50;

const bench = await startBenchApp();
const { app, baseUrl, stripeClient, webhookSecret } = bench;
const sdk = new Stripe('sk_test_unused');
const db = app.get(DataSource);

// Tenants that really bought a plan, so every event makes the worker re-read a real subscription.
const subscriptions = [];
for (let i = 0; i < TENANTS; i++) {
  const { api_key: key } = await app
    .get(ClsService)
    .run(() => app.get(TenantsService).provision(`Bench ${i}`, `bench-${i}@example.com`, 'test'));
  const checkout = await (
    await fetch(`${baseUrl}/billing/checkout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{"plan_id":"starter"}',
    })
  ).json();
  await fetch(checkout.url, {
    method: 'POST',
    body: new URLSearchParams({ card_number: '4242424242424242' }),
    redirect: 'manual',
  });
}
const processor = app.get(WebhookProcessor);
const settled = "SELECT count(*) AS n FROM stripe_events WHERE status IN ('pending', 'failed')";
do {
  await new Promise((r) => setTimeout(r, 200));
  await processor.drain();
} while (
  Number((await db.query(settled))[0].n) > 0 ||
  Number((await db.query('SELECT count(*) AS n FROM subscriptions'))[0].n) < TENANTS
);
for await (const subscription of stripeClient.subscriptions.list({ limit: 100 })) subscriptions.push(subscription);
const seeded = Number((await db.query('SELECT count(*) AS n FROM stripe_events'))[0].n);

const bodies = Array.from({ length: EVENTS }, (_, i) => {
  const subscription = subscriptions[i % subscriptions.length];
  return JSON.stringify({
    id: `evt_bench_${i}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    type: 'customer.subscription.updated',
    data: { object: subscription },
  });
});
const prepared = bodies.map((body) => ({
  method: 'POST',
  body,
  headers: {
    'content-type': 'application/json',
    'stripe-signature': sdk.webhooks.generateTestHeaderString({ payload: body, secret: webhookSecret }),
  },
}));
await processor.pause();
const result = await loadFromAnotherProcess(`${baseUrl}/billing/webhook`, prepared, CONCURRENCY);

const drainStarted = Date.now();
processor.resume();
const pendingSql =
  "SELECT count(*) AS n FROM stripe_events WHERE id LIKE 'evt_bench_%' AND status NOT IN ('processed', 'ignored', 'dead')";
while (Number((await db.query(pendingSql))[0].n) > 0) await new Promise((r) => setTimeout(r, 50));
const drainedSeconds = (Date.now() - drainStarted) / 1000;

const [counts] = await db.query(`SELECT count(*) AS stored, count(*) FILTER (WHERE status = 'processed') AS processed,
  count(*) FILTER (WHERE attempts <> 1) AS retried, count(DISTINCT id) AS distinct_ids FROM stripe_events WHERE id LIKE 'evt_bench_%'`);
const report = {
  events: EVENTS,
  concurrency: CONCURRENCY,
  non_2xx: result.non2xx,
  errors: result.errors,
  accepted_per_second: Math.round(result.requests.average),
  ack_latency_ms: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
  processed_per_second: Math.round(EVENTS / drainedSeconds),
  drained_in_seconds: Number(drainedSeconds.toFixed(2)),
  stored: Number(counts.stored),
  processed: Number(counts.processed),
  applied_more_than_once: Number(counts.retried),
  lost: EVENTS - Number(counts.stored),
  seeded_events: seeded,
};
const ok =
  report.lost === 0 && report.applied_more_than_once === 0 && report.processed === EVENTS && report.non_2xx === 0;
console.log(JSON.stringify(report, null, 2));
console.log(
  `\naccepted ${report.accepted_per_second}/s (target ≥ 1000), ack p99 ${report.ack_latency_ms.p99} ms (target < 50), ` +
    `processed ${report.processed_per_second}/s (target ≥ 300); lost ${report.lost}, applied twice ${report.applied_more_than_once}: ${ok ? 'OK' : 'FAILED'}`,
);
await bench.stop();
process.exit(ok ? 0 : 1);
