import { Inject, Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Counter, Gauge, Histogram } from 'prom-client';
import Stripe from 'stripe';
import { BillingError } from '../billing.errors.js';
import { mapStripeError } from './stripe-error-mapper.js';
import { StripeDeadline } from './stripe-deadline.js';
import { STRIPE_CALLS, STRIPE_DURATION, STRIPE_REQUESTS } from './stripe-metrics.js';
import { STRIPE_SETTINGS, type StripeSettings } from './stripe-settings.js';

/** The API version this code is written against: the one stripe 23.x pins. */
export const STRIPE_API_VERSION = '2026-10-28.endive';

const TIMEOUT_MS = 10_000;
const NETWORK_RETRIES = 2;
const MAX_CONCURRENCY = 16;
/** Less than this left of a request's budget: not worth sending (and then nothing was sent). */
const SHORTEST_ATTEMPT_MS = 500;

export function createStripeClient(settings: Pick<StripeSettings, 'secretKey' | 'apiBase' | 'timeoutMs'>): Stripe {
  const base = settings.apiBase ? new URL(settings.apiBase) : undefined;
  return new Stripe(settings.secretKey, {
    apiVersion: STRIPE_API_VERSION,
    timeout: settings.timeoutMs ?? TIMEOUT_MS,
    maxNetworkRetries: NETWORK_RETRIES,
    appInfo: { name: 'billing-entitlements-service' },
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
          protocol: base.protocol.replace(':', '') as 'http' | 'https',
        }
      : {}),
  });
}

const notSent = () =>
  new BillingError(
    'stripe_unavailable',
    'Stripe is answering too slowly right now; nothing was sent. Try again shortly.',
  );

/**
 * The only code that talks to Stripe. Every call is timed and counted by operation and result;
 * every write that creates an object carries an idempotency key derived from its intent, so a
 * retried request never creates a second one (meter events dedupe by identifier instead); Stripe's
 * errors become our own coded errors. At most STRIPE_MAX_CONCURRENCY calls are in flight; the rest
 * wait for a slot (callers hold no database connection meanwhile). Within a request, calls share
 * its StripeDeadline: each attempt gets what is left of the budget, and none is retried.
 */
@Injectable()
export class StripeGateway {
  readonly client: Stripe;
  private readonly slots: LimitFunction;

  constructor(
    @Inject(STRIPE_SETTINGS) readonly settings: StripeSettings,
    @InjectMetric(STRIPE_REQUESTS) private readonly requests: Counter<string>,
    @InjectMetric(STRIPE_DURATION) private readonly duration: Histogram<string>,
    @InjectMetric(STRIPE_CALLS) private readonly calls: Gauge<string>,
    private readonly deadline: StripeDeadline,
  ) {
    this.client = createStripeClient(settings);
    this.slots = pLimit(settings.maxConcurrency ?? MAX_CONCURRENCY);
  }

  /** A read, or a write whose `intent`, if any, becomes its idempotency key (e.g. `checkout:{tenant}:{plan}:{request}`). */
  async call<T>(
    operation: string,
    run: (stripe: Stripe, options: Stripe.RequestOptions) => Promise<T>,
    intent?: string,
    /** Of the request's budget, what this attempt must leave for the ones after it. */
    { reserveMs = 0 }: { reserveMs?: number } = {},
  ): Promise<T> {
    this.calls.inc({ state: 'waiting' });
    let gaveUp = false;
    let timer: NodeJS.Timeout | undefined;
    const slot = this.slots(async () => {
      this.calls.dec({ state: 'waiting' });
      clearTimeout(timer);
      if (gaveUp) return undefined as T;
      const options = this.options(intent, reserveMs);
      this.calls.inc({ state: 'in_flight' });
      const stop = this.duration.startTimer({ operation });
      try {
        const result = await run(this.client, options);
        stop({ result: 'ok' });
        this.requests.inc({ operation, result: 'ok' });
        return result;
      } catch (error) {
        const mapped = mapStripeError(error);
        stop({ result: mapped.result });
        this.requests.inc({ operation, result: mapped.result });
        throw mapped.error;
      } finally {
        this.calls.dec({ state: 'in_flight' });
      }
    });
    const left = this.deadline.remainingMs();
    if (left === undefined) return slot;
    // A request waits for a slot no longer than its budget allows; the call then never goes out.
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          gaveUp = true;
          reject(notSent());
        },
        Math.max(0, left - reserveMs - SHORTEST_ATTEMPT_MS),
      );
    });
    try {
      return await Promise.race([slot, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Taken when the call gets its slot, so time spent waiting counts against the request's budget. */
  private options(intent: string | undefined, reserveMs: number): Stripe.RequestOptions {
    const key = intent ? { idempotencyKey: intent } : {};
    const left = this.deadline.remainingMs();
    if (left === undefined) return key;
    const remaining = left - reserveMs;
    if (remaining < SHORTEST_ATTEMPT_MS) throw notSent();
    return { ...key, timeout: Math.min(this.settings.timeoutMs ?? TIMEOUT_MS, remaining), maxNetworkRetries: 0 };
  }

  verifyWebhook(payload: Buffer | string, signature: string, secret: string): Stripe.Event {
    return this.client.webhooks.constructEvent(payload, signature, secret, 300);
  }
}
