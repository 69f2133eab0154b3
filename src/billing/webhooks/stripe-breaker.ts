import { AppError } from '../../common/errors/app-error.js';

/**
 * Failures that are Stripe's (or our link to it: a timeout, a 5xx, a rate limit, a rejected key),
 * not the event's: they never count against an event, and enough of them in a row pause the worker.
 */
const STRIPE_OUTAGE_CODES = new Set(['stripe_unavailable', 'stripe_misconfigured']);

export const isStripeOutage = (error: unknown): boolean =>
  error instanceof AppError && STRIPE_OUTAGE_CODES.has(error.code);

/** A circuit breaker over Stripe: opens after `threshold()` consecutive outage failures, closes on any answer. */
export class StripeBreaker {
  private failures = 0;
  private openedAt: number | null = null;

  constructor(private readonly threshold: () => number) {}

  get open(): boolean {
    return this.openedAt !== null;
  }

  /** Since when it is open, in ms since the epoch. */
  get openSince(): number | null {
    return this.openedAt;
  }

  /** Returns true when this failure opened the breaker. */
  failed(): boolean {
    if (this.open) return false;
    this.failures++;
    if (this.failures < this.threshold()) return false;
    this.openedAt = Date.now();
    return true;
  }

  /** Stripe answered; returns true when this closed the breaker. */
  answered(): boolean {
    this.failures = 0;
    if (!this.open) return false;
    this.openedAt = null;
    return true;
  }
}
