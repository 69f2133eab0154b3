import { makeCounterProvider, makeGaugeProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { WEBHOOK_EVENT_TYPES } from './webhook-event-types.js';

const KNOWN_TYPES = new Set<string>(WEBHOOK_EVENT_TYPES);

/** An event's type as a metric label: the types we handle, and `other` for any other (a signed sender picks the type). */
export const typeLabel = (type: string) => (KNOWN_TYPES.has(type) ? type : 'other');

export const SIGNATURE_FAILURES = 'stripe_webhook_signature_failures_total';
export const EVENTS_RECEIVED = 'stripe_webhook_events_received_total';
export const EVENTS_PROCESSED = 'stripe_webhook_events_processed_total';
export const EVENTS_DEAD = 'stripe_webhook_events_dead_total';
export const PROCESSING_LAG = 'stripe_webhook_processing_lag_seconds';
export const BACKLOG = 'stripe_webhook_backlog';
export const BREAKER_OPEN = 'stripe_webhook_breaker_open';
export const BREAKER_PROBES = 'stripe_webhook_breaker_probes_total';

export const webhookMetricProviders = [
  makeCounterProvider({
    name: SIGNATURE_FAILURES,
    help: 'Webhook deliveries refused for a missing, invalid or stale signature, by reason',
    labelNames: ['reason'],
  }),
  makeCounterProvider({
    name: EVENTS_RECEIVED,
    help: 'Webhook events stored, by type and whether they were new',
    labelNames: ['type', 'duplicate'],
  }),
  makeCounterProvider({
    name: EVENTS_PROCESSED,
    help: 'Webhook event processing attempts by type and result (deferred: Stripe was unavailable)',
    labelNames: ['type', 'result'],
  }),
  makeCounterProvider({
    name: EVENTS_DEAD,
    help: 'Webhook events that exhausted their retries and need an operator',
    labelNames: ['type'],
  }),
  makeHistogramProvider({
    name: PROCESSING_LAG,
    help: 'Seconds from receiving a webhook event to applying it',
    labelNames: ['type'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 3600],
  }),
  makeGaugeProvider({
    name: BREAKER_OPEN,
    help: 'Whether this instance’s webhook worker is paused because Stripe is failing (1) or not (0)',
  }),
  makeCounterProvider({
    name: BREAKER_PROBES,
    help: 'Probes of Stripe while the webhook worker is paused, by result (ok resumes it)',
    labelNames: ['result'],
  }),
];
