import type { Clock } from './clock.js';
import type { EventBus } from './event-bus.js';
import type { Invoices } from './invoices.js';
import type { EmulatorStore } from './store.js';
import type { Subscriptions } from './subscriptions.js';
import type { WebhookDispatcher } from './webhook-dispatcher.js';

/** Make the next requests to /v1 fail, to test how callers survive Stripe outages. */
export interface Faults {
  remaining: number;
  mode: 'error' | 'hang';
  hang_ms: number;
  /** Only requests with this HTTP method (say POST, the writes); every request when unset. */
  method?: string;
}

/** Stripe answering slowly: each API request waits `ms` (the next `remaining` ones; -1 for all), then does its work. */
export interface Latency {
  ms: number;
  remaining: number;
  method?: string;
  /** API requests being handled now, to wait on in tests. */
  inFlight: number;
}

export interface EmulatorContext {
  store: EmulatorStore;
  clock: Clock;
  events: EventBus;
  dispatcher: WebhookDispatcher;
  invoices: Invoices;
  subscriptions: Subscriptions;
  secretKey: string;
  /** Where the hosted checkout and portal pages are served, as a browser reaches them. */
  publicUrl: string;
  faults: Faults;
  latency: Latency;
  /** Idempotency keys whose first request is still running: Stripe refuses a second one meanwhile. */
  idempotencyInProgress: Set<string>;
}
