import { createTestDatabase } from '../support/test-database.js';
import { runNode, scratchDir } from '../support/service-process.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const JWT_SECRET = 'cli-test-secret-that-is-long-enough-0000';

describe('operator CLI', () => {
  let database: { url: string; drop: () => Promise<void> };
  let t: TestApp;
  const cli = async (args: string[], env: Record<string, string> = {}) => {
    const run = runNode('dist/src/cli/main.js', args, { DATABASE_URL: database.url, JWT_SECRET, ...env }, scratchDir());
    const code = await run.exited;
    const lastLine = run.stdout().trim().split('\n').at(-1) ?? '';
    return { code, stdout: run.stdout(), stderr: run.stderr(), lastLine };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    t = await startTestApp({ JWT_SECRET }, database.url);
  });
  afterAll(async () => {
    await t.close();
    await database.drop();
  });

  it('tenant:create prints the tenant and a working owner key as the last line', async () => {
    const result = await cli(['tenant:create', '--name', 'CLI Co', '--owner-email', 'cli-owner@example.com']);
    expect(result.code).toBe(0);
    const created = JSON.parse(result.lastLine);
    expect(created).toEqual({ tenant_id: expect.any(String), api_key: expect.stringMatching(/^bk_test_/) });
    const current = await t.request('GET', '/tenants/current', { token: created.api_key });
    expect(current.body).toMatchObject({ id: created.tenant_id, name: 'CLI Co', role: 'owner' });
  });

  it('tenant:create --env live issues a live key', async () => {
    const result = await cli([
      'tenant:create',
      '--name',
      'Live',
      '--owner-email',
      'live-owner@example.com',
      '--env',
      'live',
    ]);
    expect(JSON.parse(result.lastLine).api_key).toMatch(/^bk_live_/);
  });

  it('tenant:create rejects a bad env without writing anything', async () => {
    const [{ n: before }] = await t.query('SELECT count(*)::int AS n FROM tenants');
    const result = await cli(['tenant:create', '--name', 'Bad', '--owner-email', 'b@example.com', '--env', 'staging']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--env must be test or live');
    const [{ n: after }] = await t.query('SELECT count(*)::int AS n FROM tenants');
    expect(after).toBe(before);
  });

  it('token:mint gives a JWT the service accepts, for the owner the CLI created', async () => {
    const created = JSON.parse(
      (await cli(['tenant:create', '--name', 'Mint Co', '--owner-email', 'minter@example.com'])).lastLine,
    );
    const minted = await cli(['token:mint', '--email', 'minter@example.com']);
    const { token } = JSON.parse(minted.lastLine);
    const current = await t.request('GET', '/tenants/current', { token, tenantId: created.tenant_id });
    expect(current.body.role).toBe('owner');
  });

  it('token:mint is refused in production', async () => {
    const result = await cli(['token:mint', '--email', 'x@example.com'], {
      NODE_ENV: 'production',
      APP_URL: 'https://b.example.com',
      ENABLE_BILLING: 'false',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('refused when NODE_ENV=production');
  });

  it('operator:create flags the user as a platform operator', async () => {
    const result = await cli(['operator:create', '--email', 'ops@example.com']);
    expect(JSON.parse(result.lastLine)).toMatchObject({ email: 'ops@example.com', is_operator: true });
    const [row] = await t.query("SELECT is_operator FROM users WHERE email = 'ops@example.com'");
    expect(row.is_operator).toBe(true);
  });

  it('webhooks:replay --failed queues failed and dead events again, and is audited', async () => {
    await t.query(`INSERT INTO stripe_events (id, type, livemode, payload, status, attempts, stripe_created, last_error)
                   VALUES ('evt_cli_failed', 'invoice.paid', false, '{}', 'failed', 3, 1, 'boom'), ('evt_cli_dead', 'invoice.paid', false, '{}', 'dead', 10, 1, 'boom'),
                          ('evt_cli_ok', 'invoice.paid', false, '{}', 'processed', 1, 1, NULL)`);
    const result = await cli(['webhooks:replay', '--failed']);
    expect(JSON.parse(result.lastLine).replayed.sort()).toEqual(['evt_cli_dead', 'evt_cli_failed']);
    const rows = await t.query("SELECT id, status, attempts FROM stripe_events WHERE id LIKE 'evt_cli_%' ORDER BY id");
    expect(rows).toEqual([
      { id: 'evt_cli_dead', status: 'pending', attempts: 0 },
      { id: 'evt_cli_failed', status: 'pending', attempts: 0 },
      { id: 'evt_cli_ok', status: 'processed', attempts: 1 },
    ]);
    const [audit] = await t.query(
      "SELECT metadata FROM audit_events WHERE action = 'webhook.replayed' ORDER BY id DESC LIMIT 1",
    );
    expect(audit.metadata).toMatchObject({ count: 2, via: 'cli' });
  });

  it('webhooks:replay refuses to run without saying what to replay', async () => {
    const result = await cli(['webhooks:replay']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('name what to replay');
  });

  it('overage:release settles a held report as the operator found it in Stripe, and is audited', async () => {
    const [{ id: tenantId }] = await t.query("INSERT INTO tenants (name) VALUES ('CLI overage') RETURNING id");
    const [held, pending] = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
    await t.query(
      `INSERT INTO overage_reports (id, tenant_id, env, stripe_customer_id, quantity, status, uncertain_since)
       VALUES ($1, $3, 'live', 'cus_cli', 700, 'held', now() - interval '1 day'), ($2, $3, 'live', 'cus_cli', 5, 'failed', now())`,
      [held, pending, tenantId],
    );
    const result = await cli(['overage:release', held, '--resend']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.lastLine)).toEqual({ released: held, outcome: 'resend' });
    expect(await t.query('SELECT status, uncertain_since FROM overage_reports WHERE id = $1', [held])).toEqual([
      { status: 'pending', uncertain_since: null },
    ]);
    const [audit] = await t.query(
      "SELECT tenant_id, env, target_type, target_id, metadata FROM audit_events WHERE action = 'overage.released' ORDER BY id DESC LIMIT 1",
    );
    expect(audit).toMatchObject({
      tenant_id: tenantId,
      env: 'live',
      target_id: held,
      metadata: { quantity: 700, outcome: 'resend', via: 'cli' },
    });

    // Only a held report, and only with one outcome named.
    const notHeld = await cli(['overage:release', pending, '--reported']);
    expect([notHeld.code, notHeld.stderr]).toEqual([1, expect.stringContaining(`no held overage report ${pending}`)]);
    const undecided = await cli(['overage:release', held]);
    expect([undecided.code, undecided.stderr]).toEqual([1, expect.stringContaining('--reported')]);
    expect((await t.query('SELECT status FROM overage_reports WHERE id = $1', [pending]))[0].status).toBe('failed');
  });

  it('migration:run reports nothing pending on a migrated database', async () => {
    const result = await cli(['migration:run']);
    expect(JSON.parse(result.lastLine)).toEqual({ applied: [] });
  });
});
