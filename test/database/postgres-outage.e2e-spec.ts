import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type DatabaseServer, startEmbeddedDatabase } from '../../src/database/embedded-database.js';
import { startStripeEmulator } from '../../src/stripe-emulator/emulator.js';
import { compTenant, summarize } from '../support/metering.js';
import { deliverSigned, stripeEvent } from '../support/stripe-webhooks.js';
import { startTestApp } from '../support/test-app.js';

type LogLine = { level: number; msg: string; [field: string]: unknown };

const OUTAGE_STARTED = 'database unreachable: answering 503 database_unavailable until it answers again';

/** When Postgres at `url` first accepts a connection and answers. */
async function firstAcceptance(url: string): Promise<number> {
  await vi.waitFor(
    async () => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    { timeout: 60_000, interval: 5 },
  );
  return Date.now();
}

/**
 * The drill runs on a Postgres of its own (the suite's shared one must keep serving the other files):
 * stopped under a serving app, then started again on the same port and data directory.
 */
describe('a Postgres outage', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'billing-outage-'));
  let server: DatabaseServer;
  const port = () => Number(new URL(server.url).port);
  beforeAll(async () => {
    server = await startEmbeddedDatabase({ dataDir });
  });
  afterAll(() => server?.stop());

  it('answers 503 database_unavailable with Retry-After, logs the outage once each way without a stack, and serves again at once', async () => {
    const t = await startTestApp({}, server.url);
    try {
      const logsSince = (from: number) => t.logs.slice(from).map((line) => JSON.parse(line) as LogLine);
      const { tenantId, apiKey } = await t.createTenant('Outage drill');
      await compTenant(t, tenantId, 'enterprise');
      const call = () => summarize(t, apiKey, { text: 'Postgres went away for a while, then came back.' });
      expect((await call()).status).toBe(200);

      const before = t.logs.length;
      await server.stop();

      // One after another, then many at once, as traffic arrives.
      const answers = [];
      for (let i = 0; i < 10; i++) answers.push(await call());
      answers.push(...(await Promise.all(Array.from({ length: 40 }, call))));
      for (const answer of answers) {
        expect([answer.status, answer.body.error.code, answer.headers.get('retry-after')]).toEqual([
          503,
          'database_unavailable',
          '1',
        ]);
        expect(answer.body.error).toMatchObject({ retry_after_seconds: 1, request_id: expect.any(String) });
      }
      const ready = await t.request('GET', '/health/ready');
      expect([ready.status, ready.body.error.code]).toEqual([503, 'service_unavailable']);

      await vi.waitFor(() =>
        expect(logsSince(before).filter((line) => line.msg === 'request completed')).toHaveLength(answers.length),
      );
      const during = logsSince(before);
      expect(during.filter((line) => JSON.stringify(line).includes('"stack"'))).toEqual([]);
      expect(during.filter((line) => line.level >= 50).map((line) => line.msg)).toEqual([OUTAGE_STARTED]);
      expect(during.filter((line) => line.msg === 'request completed').map((line) => line.level)).toEqual(
        answers.map(() => 40),
      );

      // Back on the same port and data directory: the first 200 is the marker of recovery.
      const accepted = firstAcceptance(server.url);
      const served = vi
        .waitFor(async () => expect((await call()).status).toBe(200), { timeout: 60_000, interval: 5 })
        .then(() => Date.now());
      server = await startEmbeddedDatabase({ dataDir, port: port() });
      const [acceptedAt, servedAt] = await Promise.all([accepted, served]);
      console.info(`Postgres outage drill: first 200 ${servedAt - acceptedAt} ms after Postgres accepted connections`);

      const ended = () => logsSince(before).filter((line) => line.msg.startsWith('database reachable again'));
      await vi.waitFor(() => expect(ended()).toHaveLength(1));
      expect(ended()[0]).toMatchObject({ level: 30, downtimeMs: expect.any(Number) });
      const after = logsSince(before);
      expect(after.filter((line) => line.msg === OUTAGE_STARTED)).toHaveLength(1);
      expect(after.filter((line) => JSON.stringify(line).includes('"stack"'))).toEqual([]);
      expect((await t.request('GET', '/health/ready')).status).toBe(200);
    } finally {
      await t.app.close();
    }
  }, 120_000);

  it("still answers Stripe's webhooks 503 while Postgres is down, so Stripe sends them again", async () => {
    const emulator = await startStripeEmulator({ port: 0 });
    const webhookSecret = 'whsec_outagedrillsecret0000000000';
    const t = await startTestApp({}, server.url, {
      secretKey: emulator.secretKey,
      apiBase: emulator.url,
      webhookSecrets: [webhookSecret],
      mode: 'test',
      emulated: true,
      timeoutMs: 10_000,
    });
    try {
      const payload = JSON.stringify(stripeEvent({ id: 'evt_test_outage' }));
      const deliver = () => deliverSigned(t, payload, webhookSecret);
      await server.stop();
      expect((await deliver()).status).toBe(503);
      server = await startEmbeddedDatabase({ dataDir, port: port() });
      await vi.waitFor(async () => expect((await deliver()).status).toBe(200), { timeout: 30_000, interval: 20 });
    } finally {
      await t.app.close();
      await emulator.stop();
    }
  }, 120_000);
});
