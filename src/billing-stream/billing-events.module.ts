import { Module } from '@nestjs/common';
import { BillingEvents } from './billing-events.js';
import { BillingEventsRepository } from './billing-events.repository.js';
import { billingEventsPublishedProvider } from './billing-stream-metrics.js';

/** billing_events, the stream's backlog: written through BillingEventPublisher (common/events) from usage and billing. */
@Module({
  providers: [BillingEventsRepository, BillingEvents, billingEventsPublishedProvider],
  exports: [BillingEvents, BillingEventsRepository],
})
export class BillingEventsModule {}
