import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../../audit/audit.module.js';
import { StripeEventRecord } from './stripe-event.entity.js';
import { StripeEventHandlers } from './stripe-event-handlers.js';
import { StripeEventsRepository } from './stripe-events.repository.js';
import { WebhookController } from './webhook.controller.js';
import { WebhookAdminController } from './webhook-admin.controller.js';
import { WebhookAdminService } from './webhook-admin.service.js';
import { WebhookIntakeService } from './webhook-intake.service.js';
import { webhookMetricProviders } from './webhook-metrics.js';
import { WebhookBacklogGauge } from './webhook-backlog.gauge.js';
import { EventInsertBatcher } from './event-insert-batcher.js';
import { WebhookProcessor } from './webhook-processor.service.js';

/** Owns stripe_events; changes billing state only through BillingService (global, from BillingModule). */
@Module({
  imports: [TypeOrmModule.forFeature([StripeEventRecord]), AuditModule],
  controllers: [WebhookController, WebhookAdminController],
  providers: [StripeEventsRepository, StripeEventHandlers, WebhookIntakeService, WebhookProcessor, WebhookAdminService, WebhookBacklogGauge, EventInsertBatcher, ...webhookMetricProviders],
  exports: [WebhookProcessor, WebhookAdminService],
})
export class WebhooksModule {}
