import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { ClsService } from 'nestjs-cls';
import type { Counter, Histogram } from 'prom-client';
import type Stripe from 'stripe';
import { type ClaimedEvent, StripeEventsRepository } from './stripe-events.repository.js';
import { StripeEventHandlers } from './stripe-event-handlers.js';
import { EVENTS_DEAD, EVENTS_PROCESSED, PROCESSING_LAG, typeLabel } from './webhook-metrics.js';

const BATCH = 32;
/** Events of different tenants apply side by side; one tenant's queue behind its advisory lock. */
const PARALLEL = 8;
const POLL_MS = 500;
export const MAX_ATTEMPTS = 10;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 60 * 60_000;

export const retryDelayMs = (attempts: number) => Math.min(BACKOFF_BASE_MS * 2 ** (attempts - 1), BACKOFF_CAP_MS);

/**
 * Works through stored events in every instance: claims due ones, applies each (holding no
 * transaction or connection while its handler calls Stripe), records the outcome, and schedules
 * failures for retry with capped exponential backoff, dead after MAX_ATTEMPTS.
 */
@Injectable()
export class WebhookProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('StripeWebhook');
  private timer?: NodeJS.Timeout;
  private draining?: Promise<number>;
  private stopped = false;
  private paused = false;

  constructor(
    private readonly events: StripeEventsRepository,
    private readonly handlers: StripeEventHandlers,
    private readonly cls: ClsService,
    @InjectMetric(EVENTS_PROCESSED) private readonly processed: Counter<string>,
    @InjectMetric(EVENTS_DEAD) private readonly dead: Counter<string>,
    @InjectMetric(PROCESSING_LAG) private readonly lag: Histogram<string>,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.wake(), POLL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.draining;
  }

  /** Starts a drain unless one is running. */
  wake(): void {
    if (this.draining || this.stopped || this.paused) return;
    this.draining = this.drainDue()
      .catch((error: unknown) => {
        this.logger.error({ err: error }, 'webhook drain failed; the next poll retries');
        return 0;
      })
      .finally(() => (this.draining = undefined));
  }

  /** Stops taking new events (stored ones wait), e.g. to measure intake alone; `resume` carries on. */
  async pause(): Promise<void> {
    this.paused = true;
    await this.draining;
  }

  resume(): void {
    this.paused = false;
    this.wake();
  }

  /** Waits for a drain in progress, then processes whatever is still due; returns how many it handled. */
  async drain(): Promise<number> {
    await this.draining;
    return this.drainDue();
  }

  private async drainDue(): Promise<number> {
    let handled = 0;
    while (!this.stopped) {
      const batch = await this.cls
        .run(() => this.events.claim(BATCH))
        .catch((error: unknown) => {
          this.logger.error({ err: error }, 'could not claim Stripe events');
          return [] as ClaimedEvent[];
        });
      if (batch.length === 0) return handled;
      for (let i = 0; i < batch.length; i += PARALLEL) {
        await Promise.all(batch.slice(i, i + PARALLEL).map((event) => this.cls.run(() => this.process(event))));
      }
      handled += batch.length;
    }
    return handled;
  }

  private async process(claimed: ClaimedEvent): Promise<void> {
    const event = JSON.parse(claimed.payload) as Stripe.Event;
    const env = event.livemode ? 'live' : 'test';
    try {
      // No transaction around the handler: it calls Stripe, and applies what it read in short
      // transactions of its own. A crash between the two writes is harmless: a rerun converges.
      const result = this.handlers.handles(event.type) ? await this.handlers.handle(event, env) : 'ignored';
      await this.events.finish(claimed.id, result);
      this.processed.inc({ type: typeLabel(event.type), result });
      this.lag.observe({ type: typeLabel(event.type) }, (Date.now() - new Date(claimed.received_at).getTime()) / 1000);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const retryAt = claimed.attempts >= MAX_ATTEMPTS ? null : new Date(Date.now() + retryDelayMs(claimed.attempts));
      await this.events.fail(claimed.id, message, retryAt);
      this.processed.inc({ type: typeLabel(event.type), result: retryAt ? 'failed' : 'dead' });
      if (!retryAt) this.dead.inc({ type: typeLabel(event.type) });
      this.logger.warn(
        { eventId: claimed.id, type: event.type, attempts: claimed.attempts, retryAt, err: error },
        'Stripe event failed',
      );
    }
  }
}
