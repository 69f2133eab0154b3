import { Inject, Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import Stripe from 'stripe';
import { mapStripeError } from './stripe-error-mapper.js';
import { STRIPE_DURATION, STRIPE_REQUESTS } from './stripe-metrics.js';
import { STRIPE_SETTINGS, type StripeSettings } from './stripe-settings.js';

/** The API version this code is written against: the one stripe 23.x pins. */
export const STRIPE_API_VERSION = '2026-10-28.endive';

const TIMEOUT_MS = 10_000;
const NETWORK_RETRIES = 2;

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

/**
 * The only code that talks to Stripe. Every call is timed and counted by operation and result;
 * every write that creates an object carries an idempotency key derived from its intent, so a
 * retried request never creates a second one (meter events dedupe by identifier instead); Stripe's
 * errors become our own coded errors.
 */
@Injectable()
export class StripeGateway {
  readonly client: Stripe;

  constructor(
    @Inject(STRIPE_SETTINGS) readonly settings: StripeSettings,
    @InjectMetric(STRIPE_REQUESTS) private readonly requests: Counter<string>,
    @InjectMetric(STRIPE_DURATION) private readonly duration: Histogram<string>,
  ) {
    this.client = createStripeClient(settings);
  }

  /** A read, or a write whose `intent`, if any, becomes its idempotency key (e.g. `checkout:{tenant}:{plan}:{request}`). */
  async call<T>(
    operation: string,
    run: (stripe: Stripe, options: Stripe.RequestOptions) => Promise<T>,
    intent?: string,
  ): Promise<T> {
    const stop = this.duration.startTimer({ operation });
    try {
      const result = await run(this.client, intent ? { idempotencyKey: intent } : {});
      stop({ result: 'ok' });
      this.requests.inc({ operation, result: 'ok' });
      return result;
    } catch (error) {
      const mapped = mapStripeError(error);
      stop({ result: mapped.result });
      this.requests.inc({ operation, result: mapped.result });
      throw mapped.error;
    }
  }

  verifyWebhook(payload: Buffer | string, signature: string, secret: string): Stripe.Event {
    return this.client.webhooks.constructEvent(payload, signature, secret, 300);
  }
}
