import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Billing reads Stripe before it takes the tenant's lock, so two reads of one object may finish in
 * either order. Each read takes a ticket first; a mirror row keeps the ticket of the read it holds,
 * and an older read never overwrites a newer one.
 */
export class StripeReadTickets1763700001500 implements MigrationInterface {
  name = 'StripeReadTickets1763700001500';

  async up(db: QueryRunner): Promise<void> {
    await db.query('CREATE SEQUENCE stripe_read_tickets');
    await db.query('ALTER TABLE subscriptions ADD COLUMN read_ticket bigint NOT NULL DEFAULT 0');
    await db.query('ALTER TABLE invoices ADD COLUMN read_ticket bigint NOT NULL DEFAULT 0');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE invoices DROP COLUMN read_ticket');
    await db.query('ALTER TABLE subscriptions DROP COLUMN read_ticket');
    await db.query('DROP SEQUENCE stripe_read_tickets');
  }
}
