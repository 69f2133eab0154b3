import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEvent } from './audit-event.entity.js';
import { AuditController } from './audit.controller.js';
import { AuditRepository } from './audit.repository.js';
import { AuditService } from './audit.service.js';
import { BillingEvents } from './stream/billing-events.service.js';
import { BillingEventsRepository } from './stream/billing-events.repository.js';
import { billingEventsPublishedProvider } from './stream/billing-stream-metrics.js';

/** The append-only audit log, and publishing to the billing event stream (served by BillingStreamModule). */
@Module({
  imports: [TypeOrmModule.forFeature([AuditEvent])],
  controllers: [AuditController],
  providers: [AuditRepository, AuditService, BillingEventsRepository, BillingEvents, billingEventsPublishedProvider],
  exports: [AuditService, BillingEvents, BillingEventsRepository],
})
export class AuditModule {}
