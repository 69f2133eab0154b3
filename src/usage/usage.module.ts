import { Module } from '@nestjs/common';
import { ConsumptionBatcher } from './consumption-batcher.js';
import { OverageOutboxGauge } from './overage-outbox.gauge.js';
import { OverageReporter } from './overage-reporter.service.js';
import { UsageMeter } from './usage-meter.service.js';

/** Usage counters with their hourly windows, and the overage outbox to Stripe: counting only, limits come from callers. */
@Module({
  providers: [ConsumptionBatcher, UsageMeter, OverageReporter, OverageOutboxGauge],
  exports: [UsageMeter, OverageReporter],
})
export class UsageModule {}
