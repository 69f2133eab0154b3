import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge, register } from 'prom-client';
import { DataSource } from 'typeorm';

export const OVERAGE_OLDEST = 'billing_overage_unreported_oldest_seconds';

/**
 * Age of the oldest PAYG overage not yet accepted by Stripe (outbox row or report), read from
 * Postgres at scrape time so every instance reports the same truth. Rows wait about a minute to
 * settle by design; a growing value means Stripe is refusing or unreachable.
 */
@Injectable()
export class OverageOutboxGauge implements OnModuleInit {
  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    const dataSource = this.dataSource;
    if (register.getSingleMetric(OVERAGE_OLDEST)) register.removeSingleMetric(OVERAGE_OLDEST);
    new Gauge({
      name: OVERAGE_OLDEST,
      help: 'Seconds since the oldest overage not yet reported to Stripe was recorded (0 when none)',
      async collect() {
        const rows: Array<{ seconds: number | null }> | undefined = await dataSource
          .query(
            `SELECT EXTRACT(EPOCH FROM now() - LEAST(
               (SELECT min(created_at) FROM overage_outbox WHERE report_id IS NULL),
               (SELECT min(created_at) FROM overage_reports WHERE status <> 'reported')))::float8 AS seconds`,
          )
          .catch(() => undefined);
        if (rows) this.set(rows[0]?.seconds ?? 0);
      },
    });
  }
}
