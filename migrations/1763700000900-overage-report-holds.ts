import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stripe dedupes a meter event's identifier for 24 hours only, and takes events up to 35 days old.
 * A report whose attempt may have reached Stripe (a timeout, a 5xx) is safe to send again only
 * within that day; `uncertain_since` records when the first such attempt began. Past it, or past
 * the age Stripe accepts, the report is `held` for an operator instead of sent again.
 */
export class OverageReportHolds1763700000900 implements MigrationInterface {
  name = 'OverageReportHolds1763700000900';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE overage_reports ADD COLUMN uncertain_since timestamptz');
    await db.query('ALTER TABLE overage_reports DROP CONSTRAINT overage_reports_status_check');
    await db.query(
      `ALTER TABLE overage_reports ADD CONSTRAINT overage_reports_status_check CHECK (status IN ('pending', 'reported', 'failed', 'held'))`,
    );
  }

  /** Held reports become failed ones, which the earlier code sends again: settle them first (overage:release). */
  async down(db: QueryRunner): Promise<void> {
    await db.query(`UPDATE overage_reports SET status = 'failed' WHERE status = 'held'`);
    await db.query('ALTER TABLE overage_reports DROP CONSTRAINT overage_reports_status_check');
    await db.query(
      `ALTER TABLE overage_reports ADD CONSTRAINT overage_reports_status_check CHECK (status IN ('pending', 'reported', 'failed'))`,
    );
    await db.query('ALTER TABLE overage_reports DROP COLUMN uncertain_since');
  }
}
