// Shared set-up for the benchmarks: a real embedded Postgres, the Stripe emulator in its own
// process (Stripe is remote in production, so it must not share the app's CPU), and the built app
// listening on loopback, exactly as `npm start` runs it but with request logs off.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import Stripe from 'stripe';
import { createApp } from '../dist/src/app.factory.js';
import { WEBHOOK_EVENT_TYPES } from '../dist/src/billing/webhooks/webhook-event-types.js';
import { loadConfig } from '../dist/src/config/load-config.js';
import { startEmbeddedDatabase } from '../dist/src/database/embedded-database.js';
import { findFreePort } from '../dist/src/database/free-port.js';

async function startEmulatorProcess() {
  const port = await findFreePort();
  const state = path.join(mkdtempSync(path.join(os.tmpdir(), 'billing-bench-stripe-')), 'state.json');
  const child = spawn(
    process.execPath,
    ['dist/src/stripe-emulator/main.js', '--port', String(port), '--state', state],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve) => child.stdout.on('data', (chunk) => String(chunk).includes('listening') && resolve()));
  return { url: `http://127.0.0.1:${port}`, port, key: 'sk_test_emulator', stop: () => child.kill('SIGTERM') };
}

/** Each run has its own data directory, so an interrupted run must stop its Postgres itself: nothing else would find it. */
function stopOnSignal(bench) {
  for (const signal of ['SIGINT', 'SIGTERM'])
    process.once(signal, () => void bench.stop().finally(() => process.exit(130)));
  return bench;
}

export async function startBenchApp({ billing = true } = {}) {
  const database = await startEmbeddedDatabase({
    dataDir: mkdtempSync(path.join(os.tmpdir(), 'billing-bench-')),
    ephemeral: true,
  });
  if (!billing) return stopOnSignal(await startWithoutBilling(database));
  const emulator = await startEmulatorProcess();
  const stripeClient = new Stripe(emulator.key, { host: '127.0.0.1', port: emulator.port, protocol: 'http' });
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    JWT_SECRET: randomBytes(24).toString('hex'),
    LOG_LEVEL: 'warn',
    DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? '20',
  });
  const stripe = { secretKey: emulator.key, apiBase: emulator.url, webhookSecrets: [], mode: 'test', emulated: true };
  const app = await createApp(config, database.url, pino({ level: 'warn' }), stripe);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${app.getHttpServer().address().port}`;
  // The endpoint's secret exists only once the app listens; the settings object is the app's own.
  const endpoint = await stripeClient.webhookEndpoints.create({
    url: `${baseUrl}/billing/webhook`,
    enabled_events: WEBHOOK_EVENT_TYPES,
  });
  stripe.webhookSecrets.push(endpoint.secret);
  return stopOnSignal({
    app,
    baseUrl,
    databaseUrl: database.url,
    stripeClient,
    webhookSecret: endpoint.secret,
    async stop() {
      await app.close();
      emulator.stop();
      await database.stop();
    },
  });
}

async function startWithoutBilling(database) {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    JWT_SECRET: randomBytes(24).toString('hex'),
    LOG_LEVEL: 'warn',
    ENABLE_BILLING: 'false',
  });
  const app = await createApp(config, database.url, pino({ level: 'warn' }), null);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    baseUrl: `http://127.0.0.1:${app.getHttpServer().address().port}`,
    databaseUrl: database.url,
    async stop() {
      await app.close();
      await database.stop();
    },
  };
}

/**
 * Sends `amount` requests, cycling through the prepared ones ({method, headers, body}) as
 * bench/load.mjs describes, from a separate process; returns autocannon's summary.
 */
export async function loadFromAnotherProcess(url, prepared, connections, amount = prepared.length) {
  const { writeFileSync } = await import('node:fs');
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'billing-load-')), 'requests.json');
  writeFileSync(file, JSON.stringify(prepared));
  const child = spawn(process.execPath, ['bench/load.mjs', url, file, String(connections), String(amount)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  await new Promise((resolve) => child.on('exit', resolve));
  return JSON.parse(output);
}
