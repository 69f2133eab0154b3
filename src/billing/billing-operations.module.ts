import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DomainEventsModule } from '../common/events/domain-events.module.js';
import { HeldOverageReports } from './overage/held-overage-reports.js';
import { StripeEventRecord } from './webhooks/stripe-event.entity.js';
import { StripeEventsRepository } from './webhooks/stripe-events.repository.js';
import { StripeEventsService } from './webhooks/stripe-events.service.js';

/**
 * What operators do to billing's own tables without Stripe or a running worker: replay stored
 * events, settle held overage reports. The HTTP admin routes and the CLI both go through it.
 */
@Module({
  imports: [TypeOrmModule.forFeature([StripeEventRecord]), DomainEventsModule],
  providers: [StripeEventsRepository, StripeEventsService, HeldOverageReports],
  exports: [StripeEventsService, HeldOverageReports],
})
export class BillingOperationsModule {}
