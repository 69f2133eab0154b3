import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The billing event stream's backlog: normalized events per tenant and env, replayed to a client
 * that reconnects with Last-Event-ID. `dedupe_key` makes one-off events (a usage threshold crossed
 * in a period) happen once, whichever instance sees them first.
 */
export class BillingEvents1763700000500 implements MigrationInterface {
  name = 'BillingEvents1763700000500';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE billing_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        env text NOT NULL CHECK (env IN ('test', 'live')),
        type text NOT NULL,
        data jsonb NOT NULL,
        dedupe_key text UNIQUE,
        occurred_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query('CREATE INDEX billing_events_tenant_idx ON billing_events (tenant_id, env, id)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE billing_events');
  }
}
