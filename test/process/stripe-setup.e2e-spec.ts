import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { startStripeEmulator, type StripeEmulator } from '../../src/stripe-emulator/emulator.js';
import { runNode, scratchDir } from '../support/service-process.js';

describe('npm run stripe:setup', () => {
  let emulator: StripeEmulator;
  beforeAll(async () => {
    emulator = await startStripeEmulator({ port: 0 });
  });
  afterAll(() => emulator.stop());

  const setup = async (cwd: string, env: Record<string, string>, args: string[] = []) => {
    const run = runNode('dist/src/cli/main.js', ['stripe:setup', ...args], env, cwd);
    const code = await run.exited;
    return {
      code,
      stderr: run.stderr(),
      result: code === 0 ? JSON.parse(run.stdout().trim().split('\n').at(-1)!) : undefined,
    };
  };
  const emulatorEnv = () => ({ STRIPE_SECRET_KEY: emulator.secretKey, STRIPE_API_BASE: emulator.url });

  it('yields the same ids when run twice, written to a .env.local only its owner can read', async () => {
    const cwd = scratchDir();
    const first = await setup(cwd, emulatorEnv());
    const second = await setup(cwd, emulatorEnv());
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(second.result.prices).toEqual(first.result.prices);
    expect(second.result.created).toBe(0);
    expect(second.stderr).toContain('nothing was created');
    const envFile = path.join(cwd, '.env.local');
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(envFile, 'utf8')).toContain(`STRIPE_PRICE_PRO=${first.result.prices.pro}`);
  });

  it('writes the ids to the file --output names instead', async () => {
    const cwd = scratchDir();
    const run = await setup(cwd, emulatorEnv(), ['--output', 'stripe.env']);
    expect(run.code).toBe(0);
    expect(readFileSync(path.join(cwd, 'stripe.env'), 'utf8')).toContain(`STRIPE_PRICE_PRO=${run.result.prices.pro}`);
    expect(existsSync(path.join(cwd, '.env.local'))).toBe(false);
  });

  it('says which mode the key is in and never prints the key', async () => {
    const run = await setup(scratchDir(), emulatorEnv());
    expect(run.stderr).toContain('Stripe test mode (sk_test_…ator)');
    expect(run.stderr + JSON.stringify(run.result)).not.toContain(emulator.secretKey);
  });

  it('refuses a live key unless asked, writing nothing', async () => {
    const cwd = scratchDir();
    const run = await setup(cwd, { STRIPE_SECRET_KEY: 'sk_live_abcdefghijklmnop', STRIPE_API_BASE: emulator.url });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('live-mode key');
    expect(existsSync(path.join(cwd, '.env.local'))).toBe(false);
  });

  it('explains how to get a key when none is set', async () => {
    const run = await setup(scratchDir(), {});
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('npm run stripe:emulator');
  });
});
