import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { ConsumptionBatcher } from './consumption-batcher.js';
import { OverageOutboxGauge } from './overage-outbox.gauge.js';
import { OverageReporter } from './overage-reporter.service.js';
import { UsageMeter } from './usage-meter.service.js';
import { UsageThresholds } from './usage-thresholds.js';

/** Usage counters with their hourly windows, the overage outbox to Stripe, and the 80%/100% threshold events; limits come from callers. */
@Module({
  imports: [AuditModule],
  providers: [ConsumptionBatcher, UsageMeter, UsageThresholds, OverageReporter, OverageOutboxGauge],
  exports: [UsageMeter, UsageThresholds, OverageReporter],
})
export class UsageModule {}
