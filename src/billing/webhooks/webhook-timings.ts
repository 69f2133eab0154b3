/**
 * How the webhook worker paces itself. One object per application, read afresh on every use, so a
 * test can compress the timings of a running app (`Object.assign(app.get(WEBHOOK_TIMINGS), …)`).
 */
export interface WebhookTimings {
  /** How often an idle worker looks for due events. */
  pollMs: number;
  /** How long a claimed event stays hidden from other workers unless its heartbeat renews it. */
  leaseMs: number;
  heartbeatMs: number;
  /** An event's own failures are retried after base, 2×base, 4×base … up to the cap. */
  backoffBaseMs: number;
  backoffCapMs: number;
  /** An event failing for a reason of its own is dead once this long has passed since it arrived. */
  retryWindowMs: number;
  /** An event that failed because Stripe did waits this long, its attempt not counted. */
  stripeRetryMs: number;
  /** Consecutive Stripe failures that pause the worker for every event … */
  breakerThreshold: number;
  /** … until a probe of Stripe, sent this often, answers. */
  probeIntervalMs: number;
  /** At most one audit row per source address this often for refused (badly signed) deliveries. */
  rejectionAuditWindowMs: number;
}

export const WEBHOOK_TIMINGS = Symbol('WEBHOOK_TIMINGS');

const DAY_MS = 24 * 60 * 60_000;

export const DEFAULT_WEBHOOK_TIMINGS: Readonly<WebhookTimings> = {
  pollMs: 500,
  leaseMs: 15_000,
  heartbeatMs: 5_000,
  backoffBaseMs: 1_000,
  backoffCapMs: 60 * 60_000,
  // Stripe itself retries a delivery for 3 days; we keep trying at least as long.
  retryWindowMs: 3 * DAY_MS,
  stripeRetryMs: 30_000,
  breakerThreshold: 5,
  probeIntervalMs: 15_000,
  rejectionAuditWindowMs: 60_000,
};

export const webhookTimingsProvider = {
  provide: WEBHOOK_TIMINGS,
  useFactory: (): WebhookTimings => ({ ...DEFAULT_WEBHOOK_TIMINGS }),
};

/** Capped exponential backoff after an event's `attempts`-th failure of its own. */
export const retryDelayMs = (attempts: number, timings: WebhookTimings = DEFAULT_WEBHOOK_TIMINGS) =>
  Math.min(timings.backoffBaseMs * 2 ** Math.min(attempts - 1, 40), timings.backoffCapMs);
