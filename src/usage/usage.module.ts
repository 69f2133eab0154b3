import { Module } from '@nestjs/common';
import { DomainEventsModule } from '../common/events/domain-events.module.js';
import { ConsumptionBatcher } from './consumption-batcher.js';
import { UsageMeter } from './usage-meter.js';
import { UsageThresholds } from './usage-thresholds.js';
import { UsageRepository } from './usage.repository.js';

/**
 * Usage counters with their hourly windows, the PAYG overage outbox and idempotent metering
 * requests, and the 80%/100% threshold events (published through common/events); limits come from
 * callers, and billing reports the outbox to Stripe through UsageMeter.
 */
@Module({
  imports: [DomainEventsModule],
  providers: [UsageRepository, ConsumptionBatcher, UsageMeter, UsageThresholds],
  exports: [UsageMeter, UsageThresholds],
})
export class UsageModule {}
