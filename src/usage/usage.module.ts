import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { ConsumptionBatcher } from './consumption-batcher.js';
import { OverageOutboxGauge } from './overage-outbox.gauge.js';
import { OverageReporter } from './overage-reporter.service.js';
import { UsageMeter } from './usage-meter.service.js';
import { UsageThresholds } from './usage-thresholds.js';

/** Usage counters with their hourly windows, and the overage outbox to Stripe: counting only, limits come from callers. */
@Module({
  imports: [AuditModule],
  providers: [ConsumptionBatcher, UsageMeter, UsageThresholds, OverageReporter, OverageOutboxGauge],
  exports: [UsageMeter, UsageThresholds, OverageReporter],
})
export class UsageModule {}
