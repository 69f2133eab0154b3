import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Metering on one row per tenant, env, meter and period: the monthly usage and the current hourly
 * window live together, so one conditional statement decides both. Overage for PAYG goes to an
 * outbox in that same statement; reports to Stripe are batched with unique identifiers.
 */
export class Metering1763700000400 implements MigrationInterface {
  name = 'Metering1763700000400';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE usage_counters
      ADD COLUMN window_start timestamptz NOT NULL DEFAULT 'epoch',
      ADD COLUMN window_count int NOT NULL DEFAULT 0 CHECK (window_count >= 0)`);
    await db.query(`
      CREATE TABLE overage_outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        env text NOT NULL CHECK (env IN ('test', 'live')),
        meter text NOT NULL,
        request_key text NOT NULL UNIQUE,
        quantity bigint NOT NULL CHECK (quantity > 0),
        report_id uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query('CREATE INDEX overage_outbox_unbatched_idx ON overage_outbox (created_at) WHERE report_id IS NULL');
    await db.query(`
      CREATE TABLE overage_reports (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        env text NOT NULL CHECK (env IN ('test', 'live')),
        stripe_customer_id text NOT NULL,
        quantity bigint NOT NULL CHECK (quantity > 0),
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'reported', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        reported_at timestamptz
      )`);
    await db.query(
      `CREATE INDEX overage_reports_due_idx ON overage_reports (next_attempt_at) WHERE status <> 'reported'`,
    );
    await db.query(`
      CREATE TABLE usage_requests (
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        env text NOT NULL CHECK (env IN ('test', 'live')),
        idempotency_key text NOT NULL,
        status int NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, env, idempotency_key)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE usage_requests');
    await db.query('DROP TABLE overage_reports');
    await db.query('DROP TABLE overage_outbox');
    await db.query('ALTER TABLE usage_counters DROP COLUMN window_start, DROP COLUMN window_count');
  }
}
