import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { registerScrapeTimeGauge } from '../observability/scrape-time-gauge.js';

const OVERAGE_OLDEST = 'billing_overage_unreported_oldest_seconds';
const OVERAGE_HELD = 'billing_overage_reports_held';

/**
 * Age of the oldest PAYG overage not yet accepted by Stripe (outbox row or report). Rows wait
 * about a minute to settle by design; a growing value means Stripe is refusing or unreachable.
 * Reports held for an operator never go out by themselves: they are counted apart, so one held
 * report raises one alert.
 */
@Injectable()
export class OverageOutboxGauge implements OnModuleInit {
  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    registerScrapeTimeGauge({ name: OVERAGE_OLDEST, help: 'Seconds since the oldest overage not yet reported to Stripe was recorded (0 when none)' }, async (gauge) => {
      const [row]: Array<{ seconds: number | null }> = await this.dataSource.query(
        `SELECT EXTRACT(EPOCH FROM now() - LEAST(
           (SELECT min(created_at) FROM overage_outbox WHERE report_id IS NULL),
           (SELECT min(created_at) FROM overage_reports WHERE status NOT IN ('reported', 'held'))))::float8 AS seconds`,
      );
      gauge.set(row?.seconds ?? 0);
    });
    registerScrapeTimeGauge({ name: OVERAGE_HELD, help: 'Overage reports held back for an operator: Stripe might bill them twice or would refuse them' }, async (gauge) => {
      const [row]: Array<{ held: number }> = await this.dataSource.query(`SELECT count(*)::int AS held FROM overage_reports WHERE status = 'held'`);
      gauge.set(row?.held ?? 0);
    });
  }
}
