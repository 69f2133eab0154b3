import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { isProcessAlive } from '../../src/database/postmaster-pid.js';
import { createTestDatabase } from '../support/test-database.js';
import { runNode, scratchDir, startService } from '../support/service-process.js';

const JWT = { JWT_SECRET: 'process-test-secret-that-is-long-enough' };

describe('start-up refuses bad configuration, naming the variable', () => {
  it.each([
    ['a malformed DATABASE_URL', { DATABASE_URL: 'postgres//nohost' }, 'DATABASE_URL'],
    ['an invalid PORT', { PORT: 'eighty' }, 'PORT'],
    [
      'production without JWT settings',
      { NODE_ENV: 'production', APP_URL: 'https://b.example.com' },
      'JWT_SECRET or JWT_JWKS_URL',
    ],
    [
      'production without a Stripe key',
      { NODE_ENV: 'production', APP_URL: 'https://b.example.com', JWT_SECRET: 'x'.repeat(40) },
      'STRIPE_SECRET_KEY',
    ],
    [
      'production without a webhook secret',
      {
        NODE_ENV: 'production',
        APP_URL: 'https://b.example.com',
        JWT_SECRET: 'x'.repeat(40),
        STRIPE_SECRET_KEY: 'sk_test_abcdefgh',
      },
      'STRIPE_WEBHOOK_SECRET',
    ],
    [
      'production without prices',
      {
        NODE_ENV: 'production',
        APP_URL: 'https://b.example.com',
        JWT_SECRET: 'x'.repeat(40),
        STRIPE_SECRET_KEY: 'sk_test_abcdefgh',
      },
      'STRIPE_PRICE_PRO',
    ],
  ])('%s', async (_name, env, variable) => {
    const run = runNode('dist/src/main.js', [], env, scratchDir());
    expect(await run.exited).toBe(78);
    expect(run.stderr()).toContain(`- ${variable}:`);
  });
});

describe('start-up on a DATABASE_URL it cannot use', () => {
  it('says so within seconds, without the password, and exits 1', async () => {
    const started = Date.now();
    const run = runNode(
      'dist/src/main.js',
      [],
      { ...JWT, ENABLE_BILLING: 'false', DATABASE_URL: 'postgres://billing:hunter22secret@127.0.0.1:1/billing' },
      scratchDir(),
    );
    expect(await run.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(run.stderr()).toContain(
      'start-up failed: cannot reach Postgres at postgres://billing:***@127.0.0.1:1/billing (ECONNREFUSED',
    );
    expect(run.stderr()).toContain('unset DATABASE_URL to use the embedded Postgres');
    expect(run.stdout() + run.stderr()).not.toContain('hunter22secret');
  });

  it('fails at once when the password is refused', async () => {
    const database = await createTestDatabase();
    const wrong = new URL(database.url);
    wrong.password = 'not-the-password';
    const started = Date.now();
    const run = runNode(
      'dist/src/main.js',
      [],
      { ...JWT, ENABLE_BILLING: 'false', DATABASE_URL: wrong.toString() },
      scratchDir(),
    );
    const code = await run.exited;
    await database.drop();
    expect(code).toBe(1);
    expect(run.stderr()).toMatch(/start-up failed: cannot use Postgres at .*: the password was refused/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('the service on a DATABASE_URL', () => {
  it('serves health and readiness, and stops cleanly on SIGTERM', async () => {
    const database = await createTestDatabase();
    const service = await startService({ ...JWT, DATABASE_URL: database.url, LOG_LEVEL: 'warn' });
    await service.waitForHealth();
    const ready = await fetch(`http://127.0.0.1:${service.port}/health/ready`);
    expect(ready.status).toBe(200);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    await database.drop();
  });
});

describe('graceful shutdown', () => {
  it('finishes a request already in flight when SIGTERM arrives', async () => {
    const database = await createTestDatabase();
    const service = await startService({ ...JWT, DATABASE_URL: database.url, LOG_LEVEL: 'warn' });
    await service.waitForHealth();
    const body = JSON.stringify({ name: 'in flight' });
    const answered = new Promise<number>((resolve, reject) => {
      const request = http.request(
        {
          host: '127.0.0.1',
          port: service.port,
          method: 'POST',
          path: '/tenants',
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (response) => resolve(response.statusCode!),
      );
      request.on('error', reject);
      request.write(body.slice(0, 5));
      setTimeout(() => {
        service.child.kill('SIGTERM');
        setTimeout(() => request.end(body.slice(5)), 300);
      }, 100);
    });
    // No credentials, so the completed request is a 401: what matters is that it got an answer.
    expect(await answered).toBe(401);
    expect(await service.exited).toBe(0);
    await database.drop();
  });
});

describe('the service on embedded Postgres', () => {
  const cwd = scratchDir();
  const pgData = path.join(cwd, '.data', 'pg');
  const postmasterPid = () => Number(readFileSync(path.join(pgData, 'postmaster.pid'), 'utf8').split('\n')[0]);
  /** A service that outlives a failed test would hold .data and fail the next one too. */
  const started = async () => {
    const service = await startService({}, cwd);
    onTestFinished(async () => {
      if (service.child.exitCode !== null || service.child.signalCode !== null) return;
      service.child.kill('SIGTERM');
      await service.exited;
    });
    return service;
  };
  /** The log reaches the pipe on its own schedule: a line may arrive after /health already answers. */
  const logged = (service: { output: () => string }, line: string) =>
    vi.waitFor(() => expect(service.output()).toContain(line));

  it('initialises .data on first start and stops Postgres on SIGTERM', async () => {
    const service = await started();
    await service.waitForHealth();
    expect(existsSync(path.join(pgData, 'PG_VERSION'))).toBe(true);
    await logged(service, 'plans provisioned into the local Stripe emulator (5 created)');
    expect(service.output()).toContain('initialising embedded Postgres');
    expect(service.output()).toContain('billing runs against the local Stripe emulator');
    const pid = postmasterPid();
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(isProcessAlive(pid)).toBe(false);
  });

  it('reuses .data on the next start', async () => {
    const service = await started();
    await service.waitForHealth();
    await logged(service, 'plans provisioned into the local Stripe emulator (0 created)');
    expect(service.output()).not.toContain('initialising embedded Postgres');
    service.child.kill('SIGINT');
    expect(await service.exited).toBe(0);
  });

  it('recovers after the service was killed with SIGKILL', async () => {
    const killed = await started();
    await killed.waitForHealth();
    const orphan = postmasterPid();
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(isProcessAlive(orphan)).toBe(true);

    const next = await started();
    await next.waitForHealth();
    await logged(next, 'left running by a process that died');
    expect(isProcessAlive(orphan)).toBe(false);
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
  });
});
