import { makeCounterProvider, makeGaugeProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';

export const STRIPE_REQUESTS = 'stripe_api_requests_total';
export const STRIPE_DURATION = 'stripe_api_request_duration_seconds';
export const STRIPE_CALLS = 'stripe_api_calls';

export const stripeMetricProviders = [
  makeCounterProvider({
    name: STRIPE_REQUESTS,
    help: 'Stripe API calls by operation and result',
    labelNames: ['operation', 'result'],
  }),
  makeHistogramProvider({
    name: STRIPE_DURATION,
    help: 'Stripe API call duration by operation and result',
    labelNames: ['operation', 'result'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
  }),
  makeGaugeProvider({
    name: STRIPE_CALLS,
    help: 'Stripe API calls in this process now: in flight, or waiting for a slot (STRIPE_MAX_CONCURRENCY)',
    labelNames: ['state'],
  }),
];
