import { Module } from '@nestjs/common';
import { BillingEventsModule } from './billing-events.module.js';
import { billingStreamMetricProviders } from './billing-stream-metrics.js';
import { BillingStreamController } from './billing-stream.controller.js';
import { BillingStreamHub } from './billing-stream.hub.js';

/** GET /billing/stream: the HTTP side of the stream, so the CLI (which only publishes) goes without it. */
@Module({
  imports: [BillingEventsModule],
  controllers: [BillingStreamController],
  providers: [BillingStreamHub, ...billingStreamMetricProviders],
})
export class BillingStreamModule {}
