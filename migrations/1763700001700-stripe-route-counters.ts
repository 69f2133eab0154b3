import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per tenant and env: how many requests it made to the routes that call Stripe in the
 * current one-minute window. Shared by every instance, so the limit holds however many there are.
 */
export class StripeRouteCounters1763700001700 implements MigrationInterface {
  name = 'StripeRouteCounters1763700001700';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE stripe_route_counters (
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        env text NOT NULL CHECK (env IN ('test', 'live')),
        window_start timestamptz NOT NULL,
        requests int NOT NULL CHECK (requests > 0),
        PRIMARY KEY (tenant_id, env)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE stripe_route_counters');
  }
}
