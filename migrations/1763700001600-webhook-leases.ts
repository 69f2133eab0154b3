import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A worker holds a claimed event under a lease token, renewed by a heartbeat while it works (the
 * lease's end is `next_attempt_at`). A claim no longer counts as an attempt: a killed worker's
 * events come back when the short lease runs out, their attempts as they were.
 */
export class WebhookLeases1763700001600 implements MigrationInterface {
  name = 'WebhookLeases1763700001600';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE stripe_events ADD COLUMN lease_token uuid');
    await db.query('CREATE INDEX stripe_events_lease_idx ON stripe_events (lease_token) WHERE lease_token IS NOT NULL');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX stripe_events_lease_idx');
    await db.query('ALTER TABLE stripe_events DROP COLUMN lease_token');
  }
}
