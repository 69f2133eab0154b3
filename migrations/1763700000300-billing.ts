import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Stripe's state mirrored per tenant and env, the entitlement it grants, and every webhook delivery. */
export class Billing1763700000300 implements MigrationInterface {
  name = 'Billing1763700000300';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE billing_customers (
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        env text NOT NULL CHECK (env IN ('test', 'live')),
        stripe_customer_id text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, env)
      )`);
    await db.query(`
      CREATE TABLE subscriptions (
        stripe_subscription_id text PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        env text NOT NULL CHECK (env IN ('test', 'live')),
        stripe_customer_id text NOT NULL,
        status text NOT NULL,
        plan_id text,
        price_id text,
        overage_item_id text,
        current_period_start timestamptz,
        current_period_end timestamptz,
        cancel_at_period_end boolean NOT NULL DEFAULT false,
        downgraded_from text,
        downgrade_effective_at timestamptz,
        stripe_created bigint NOT NULL,
        synced_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query('CREATE INDEX subscriptions_tenant_idx ON subscriptions (tenant_id, env, stripe_created DESC)');
    await db.query(`
      CREATE TABLE invoices (
        stripe_invoice_id text PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        env text NOT NULL CHECK (env IN ('test', 'live')),
        stripe_subscription_id text,
        status text NOT NULL,
        billing_reason text,
        currency text NOT NULL,
        amount_due bigint NOT NULL,
        amount_paid bigint NOT NULL,
        period_start timestamptz,
        period_end timestamptz,
        hosted_invoice_url text,
        payment_failed_at timestamptz,
        stripe_created bigint NOT NULL,
        synced_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query('CREATE INDEX invoices_tenant_idx ON invoices (tenant_id, env, stripe_created DESC)');
    await db.query(`
      CREATE TABLE entitlements (
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        env text NOT NULL CHECK (env IN ('test', 'live')),
        plan_id text NOT NULL,
        status text NOT NULL,
        source text NOT NULL CHECK (source IN ('subscription', 'comp', 'free')),
        current_period_start timestamptz NOT NULL,
        current_period_end timestamptz NOT NULL,
        cancel_at_period_end boolean NOT NULL DEFAULT false,
        payg_enabled boolean NOT NULL DEFAULT false,
        comped boolean NOT NULL DEFAULT false,
        comp_plan_id text,
        comp_reason text,
        comp_expires_at timestamptz,
        last_payment_failure_at timestamptz,
        last_payment_failure_invoice text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, env)
      )`);
    await db.query(`
      CREATE TABLE stripe_events (
        id text PRIMARY KEY,
        type text NOT NULL,
        livemode boolean NOT NULL,
        payload text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processed', 'ignored', 'failed', 'dead')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        stripe_created bigint NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz
      )`);
    await db.query(
      `CREATE INDEX stripe_events_due_idx ON stripe_events (next_attempt_at) WHERE status IN ('pending', 'failed')`,
    );
    await db.query('CREATE INDEX stripe_events_type_idx ON stripe_events (type, received_at DESC)');
    await db.query(`
      CREATE TABLE usage_counters (
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        env text NOT NULL CHECK (env IN ('test', 'live')),
        meter text NOT NULL,
        period_start timestamptz NOT NULL,
        used bigint NOT NULL DEFAULT 0 CHECK (used >= 0),
        PRIMARY KEY (tenant_id, env, meter, period_start)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [
      'usage_counters',
      'stripe_events',
      'entitlements',
      'invoices',
      'subscriptions',
      'billing_customers',
    ]) {
      await db.query(`DROP TABLE ${table}`);
    }
  }
}
