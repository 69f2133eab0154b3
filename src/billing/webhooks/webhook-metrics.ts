import { makeCounterProvider } from '@willsoto/nestjs-prometheus';

export const SIGNATURE_FAILURES = 'stripe_webhook_signature_failures_total';
export const EVENTS_RECEIVED = 'stripe_webhook_events_received_total';
export const EVENTS_PROCESSED = 'stripe_webhook_events_processed_total';

export const webhookMetricProviders = [
  makeCounterProvider({ name: SIGNATURE_FAILURES, help: 'Webhook deliveries refused for a missing, invalid or stale signature' }),
  makeCounterProvider({ name: EVENTS_RECEIVED, help: 'Webhook events stored, by type and whether they were new', labelNames: ['type', 'duplicate'] }),
  makeCounterProvider({ name: EVENTS_PROCESSED, help: 'Webhook event processing attempts by type and result', labelNames: ['type', 'result'] }),
];
