import { makeCounterProvider, makeGaugeProvider } from '@willsoto/nestjs-prometheus';

export const EVENTS_PUBLISHED = 'billing_events_published_total';
export const STREAM_CLIENTS = 'billing_stream_clients';
export const STREAM_EVENTS_SENT = 'billing_stream_events_sent_total';

export const billingEventsPublishedProvider = makeCounterProvider({
  name: EVENTS_PUBLISHED,
  help: 'Billing events written to the stream backlog, by type',
  labelNames: ['type'],
});

export const billingStreamMetricProviders = [
  makeGaugeProvider({ name: STREAM_CLIENTS, help: 'Clients connected to GET /billing/stream on this instance' }),
  makeCounterProvider({ name: STREAM_EVENTS_SENT, help: 'Billing events sent to stream clients (replays included)' }),
];
