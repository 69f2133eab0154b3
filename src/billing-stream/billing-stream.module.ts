import { Module } from '@nestjs/common';
import { BillingEvents } from './billing-events.js';
import { BillingEventsRepository } from './billing-events.repository.js';
import { billingEventsPublishedProvider, billingStreamMetricProviders } from './billing-stream-metrics.js';
import { BillingStreamController } from './billing-stream.controller.js';
import { BillingStreamHub } from './billing-stream.hub.js';
import { StreamSlots } from './stream-slots.js';
import { rateLimitedProvider } from '../observability/rate-limit-metrics.js';

/**
 * The tenant's billing event stream: billing_events, written through BillingEventPublisher
 * (common/events) from usage and billing, and served at GET /billing/stream.
 */
@Module({
  controllers: [BillingStreamController],
  providers: [
    BillingEventsRepository,
    BillingEvents,
    BillingStreamHub,
    StreamSlots,
    rateLimitedProvider,
    billingEventsPublishedProvider,
    ...billingStreamMetricProviders,
  ],
})
export class BillingStreamModule {}
