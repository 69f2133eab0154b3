import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import Stripe from 'stripe';
import { createStripeClient } from '../../src/billing/stripe/stripe-gateway.js';
import { loadConfig } from '../../src/config/load-config.js';
import { resolveStripe, type StripeRuntime } from '../../src/startup/resolve-stripe.js';
import { scratchDir } from '../support/service-process.js';

/** Holds the emulator's usual port for the test, unless something else already does. */
async function occupyPreferredPort(): Promise<() => Promise<void>> {
  const server = net.createServer();
  const held = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(12111, '127.0.0.1', () => resolve(true));
  });
  return () => (held ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve());
}

describe('the in-process Stripe emulator', () => {
  const started: StripeRuntime[] = [];
  afterEach(async () => {
    for (const runtime of started.splice(0)) await runtime.stop();
  });
  const start = async (dataDir: string, logs: string[] = []) => {
    const runtime = await resolveStripe(loadConfig({ DATA_DIR: dataDir, PORT: '3999' }, dataDir), (m) => logs.push(m));
    started.push(runtime);
    return runtime;
  };
  const client = (runtime: StripeRuntime) => createStripeClient(runtime.settings!);

  it('keeps one state file per data directory when its usual port is taken, and says where it is', async () => {
    const release = await occupyPreferredPort();
    try {
      const dataDir = scratchDir();
      const logs: string[] = [];
      const first = await start(dataDir, logs);
      expect(new URL(first.settings!.apiBase!).port).not.toBe('12111');
      expect(logs.join('\n')).toContain(`state in ${path.join(dataDir, 'stripe-emulator.json')}`);
      const customer = await client(first).customers.create({ metadata: { probe: 'kept' } });
      await first.stop();
      started.splice(0);
      // The file the log names is the one written (a restart in another process reads it).
      expect(readFileSync(path.join(dataDir, 'stripe-emulator.json'), 'utf8')).toContain(customer.id);
      expect(readdirSync(dataDir).filter((name) => name.startsWith('stripe-emulator'))).toEqual([
        'stripe-emulator.json',
      ]);

      const second = await start(dataDir);
      const again: Stripe.Customer | Stripe.DeletedCustomer = await client(second).customers.retrieve(customer.id);
      expect((again as Stripe.Customer).metadata).toEqual({ probe: 'kept' });
    } finally {
      await release();
    }
  });

  it('starts on a data directory that does not exist yet (DATABASE_URL set: no embedded Postgres made it)', async () => {
    const dataDir = path.join(scratchDir(), 'not-yet');
    const runtime = await start(dataDir);
    expect(runtime.settings?.emulated).toBe(true);
  });

  it('refuses a second emulator on the same data directory rather than let both write its state', async () => {
    const dataDir = scratchDir();
    await start(dataDir);
    await expect(start(dataDir)).rejects.toThrow(/stripe-emulator\.json is in use by process \d+/);
  });
});
