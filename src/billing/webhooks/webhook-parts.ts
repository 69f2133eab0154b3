import { EventInsertBatcher } from './event-insert-batcher.js';
import { RejectedWebhookAudit } from './rejected-webhook-audit.js';
import { StripeEventHandlers } from './stripe-event-handlers.js';
import { StripeEventsRepository } from './stripe-events.repository.js';
import { WebhookAdminController } from './webhook-admin.controller.js';
import { WebhookAdminService } from './webhook-admin.service.js';
import { WebhookBacklogGauge } from './webhook-backlog.gauge.js';
import { WebhookIntakeService } from './webhook-intake.service.js';
import { webhookMetricProviders } from './webhook-metrics.js';
import { WebhookProcessor } from './webhook-processor.js';
import { webhookTimingsProvider } from './webhook-timings.js';
import { WebhookController } from './webhook.controller.js';

/*
 * Webhooks are part of BillingModule (their handlers change billing state only through
 * BillingService), mounted only when Stripe is configured: with billing off there is no route.
 */
export const webhookControllers = [WebhookController, WebhookAdminController];

export const webhookProviders = [
  StripeEventsRepository,
  StripeEventHandlers,
  WebhookIntakeService,
  WebhookProcessor,
  WebhookAdminService,
  WebhookBacklogGauge,
  EventInsertBatcher,
  RejectedWebhookAudit,
  webhookTimingsProvider,
  ...webhookMetricProviders,
];
