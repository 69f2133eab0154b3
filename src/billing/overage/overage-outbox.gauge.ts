import { Injectable, type OnModuleInit } from '@nestjs/common';
import { registerScrapeTimeGauge } from '../../observability/scrape-time-gauge.js';
import { UsageMeter } from '../../usage/usage-meter.js';
import { OverageReportsRepository } from './overage-reports.repository.js';

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
  constructor(
    private readonly usage: UsageMeter,
    private readonly reports: OverageReportsRepository,
  ) {}

  onModuleInit(): void {
    registerScrapeTimeGauge(
      {
        name: OVERAGE_OLDEST,
        help: 'Seconds since the oldest overage not yet reported to Stripe was recorded (0 when none)',
      },
      async (gauge) => {
        const ages = [await this.usage.oldestUnreportedOverageAge(), await this.reports.oldestUnreportedAge()];
        gauge.set(Math.max(0, ...ages.filter((age) => age !== null)));
      },
    );
    registerScrapeTimeGauge(
      {
        name: OVERAGE_HELD,
        help: 'Overage reports held back for an operator: Stripe might bill them twice or would refuse them',
      },
      async (gauge) => {
        gauge.set(await this.reports.heldCount());
      },
    );
  }
}
