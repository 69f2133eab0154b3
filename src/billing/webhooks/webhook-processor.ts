import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { ClsService } from 'nestjs-cls';
import { DatabaseOutage } from '../../database/database-outage.js';
import { randomUUID } from 'node:crypto';
import type { Counter, Gauge, Histogram } from 'prom-client';
import type Stripe from 'stripe';
import { StripeGateway } from '../stripe/stripe-gateway.js';
import { type ClaimedEvent, StripeEventsRepository } from './stripe-events.repository.js';
import { StripeEventHandlers } from './stripe-event-handlers.js';
import { isStripeOutage, StripeBreaker } from './stripe-breaker.js';
import {
  BREAKER_OPEN,
  BREAKER_PROBES,
  EVENTS_DEAD,
  EVENTS_PROCESSED,
  PROCESSING_LAG,
  typeLabel,
} from './webhook-metrics.js';
import { retryDelayMs, WEBHOOK_TIMINGS, type WebhookTimings } from './webhook-timings.js';

const BATCH = 32;
/** Events of different tenants apply side by side; one tenant's queue behind its advisory lock. */
const PARALLEL = 8;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Works through stored events in every instance: claims due ones under a short lease that a
 * heartbeat renews, applies each (holding no transaction or connection while its handler calls
 * Stripe), and records the outcome. An event failing for a reason of its own is retried with
 * capped backoff until its retry window has passed, then dead. A failure that is Stripe's costs
 * the event nothing; enough of them in a row open a circuit breaker that pauses the worker for
 * every event until a probe of Stripe answers.
 */
@Injectable()
export class WebhookProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('StripeWebhook');
  private readonly breaker: StripeBreaker;
  private readonly timers = new Set<NodeJS.Timeout>();
  private draining?: Promise<number>;
  private probing?: Promise<void>;
  private probeTimer?: NodeJS.Timeout;
  private stopped = false;
  private paused = false;

  constructor(
    private readonly events: StripeEventsRepository,
    private readonly handlers: StripeEventHandlers,
    private readonly gateway: StripeGateway,
    private readonly cls: ClsService,
    private readonly outage: DatabaseOutage,
    @Inject(WEBHOOK_TIMINGS) private readonly timings: WebhookTimings,
    @InjectMetric(EVENTS_PROCESSED) private readonly processed: Counter<string>,
    @InjectMetric(EVENTS_DEAD) private readonly dead: Counter<string>,
    @InjectMetric(PROCESSING_LAG) private readonly lag: Histogram<string>,
    @InjectMetric(BREAKER_OPEN) private readonly breakerOpen: Gauge<string>,
    @InjectMetric(BREAKER_PROBES) private readonly probes: Counter<string>,
  ) {
    this.breaker = new StripeBreaker(() => this.timings.breakerThreshold);
  }

  onApplicationBootstrap(): void {
    this.breakerOpen.set(0);
    this.every(
      () => this.timings.pollMs,
      () => this.wake(),
    );
  }

  /** Before the database goes: lets in-flight events finish and record their outcome. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    await this.draining;
  }

  /** Starts a drain unless one is running, or the worker is paused (by `pause`, or by the breaker). */
  wake(): void {
    if (this.draining || this.stopped || this.paused || this.breaker.open) return;
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

  /**
   * Waits for a drain in progress, then processes whatever is still due; returns how many it
   * handled. While the breaker is open it probes Stripe first, and handles nothing if Stripe is
   * still failing.
   */
  async drain(): Promise<number> {
    await this.draining;
    if (this.breaker.open) await this.probe();
    return this.drainDue();
  }

  private get claiming(): boolean {
    return !this.stopped && !this.breaker.open;
  }

  private async drainDue(): Promise<number> {
    let handled = 0;
    while (this.claiming) {
      const token = randomUUID();
      const batch = await this.cls
        .run(() => this.events.claim(BATCH, token, this.timings.leaseMs))
        .catch((error: unknown) => {
          // An unreachable database is logged once for the outage, not every poll.
          if (!this.outage.absorbs(error)) this.logger.error({ err: error }, 'could not claim Stripe events');
          return [] as ClaimedEvent[];
        });
      if (batch.length === 0) return handled;
      const heartbeat = setInterval(() => this.renew(token), this.timings.heartbeatMs);
      try {
        for (let i = 0; i < batch.length; i += PARALLEL) {
          // The breaker opened (or shutdown began) mid-batch: the rest go back, due at once, untouched.
          if (!this.claiming) {
            await this.cls.run(() => this.events.release(token));
            break;
          }
          const slice = batch.slice(i, i + PARALLEL);
          await Promise.all(slice.map((event) => this.cls.run(() => this.process(event, token))));
          handled += slice.length;
        }
      } finally {
        clearInterval(heartbeat);
      }
    }
    return handled;
  }

  /** Never throws: an outcome that could not be recorded leaves the event to come back when its lease ends. */
  private async process(claimed: ClaimedEvent, token: string): Promise<void> {
    const event = JSON.parse(claimed.payload) as Stripe.Event;
    const type = typeLabel(event.type);
    try {
      let result: 'processed' | 'ignored';
      try {
        // No transaction around the handler: it calls Stripe, and applies what it read in short
        // transactions of its own. A crash between the two writes is harmless: a rerun converges.
        result = this.handlers.handles(event.type)
          ? await this.handlers.handle(event, event.livemode ? 'live' : 'test')
          : 'ignored';
      } catch (error) {
        await this.failed(claimed, token, event, error);
        return;
      }
      if (result === 'processed') this.stripeAnswered();
      const kept = await this.events.finish(claimed.id, token, result);
      if (!kept)
        this.logger.warn({ eventId: claimed.id, type: event.type }, 'Stripe event lease lost; outcome not recorded');
      this.processed.inc({ type, result });
      this.lag.observe({ type }, (Date.now() - new Date(claimed.received_at).getTime()) / 1000);
    } catch (error) {
      this.logger.error(
        { eventId: claimed.id, type: event.type, err: error },
        'could not record a Stripe event’s outcome; it comes back when its lease runs out',
      );
    }
  }

  private async failed(claimed: ClaimedEvent, token: string, event: Stripe.Event, error: unknown): Promise<void> {
    const type = typeLabel(event.type);
    if (isStripeOutage(error)) {
      await this.events.defer(claimed.id, token, messageOf(error), this.timings.stripeRetryMs);
      this.processed.inc({ type, result: 'deferred' });
      this.logger.warn(
        { eventId: claimed.id, type: event.type, reason: messageOf(error) },
        'Stripe event deferred: Stripe is unavailable',
      );
      if (this.breaker.failed()) this.opened();
      return;
    }
    const outcome = await this.events.fail(
      claimed.id,
      token,
      messageOf(error),
      retryDelayMs(claimed.attempts + 1, this.timings),
      this.timings.retryWindowMs,
    );
    if (!outcome) return;
    this.processed.inc({ type, result: outcome.status });
    if (outcome.status === 'dead') this.dead.inc({ type });
    this.logger.warn(
      { eventId: claimed.id, type: event.type, attempts: outcome.attempts, status: outcome.status, err: error },
      'Stripe event failed',
    );
  }

  private opened(): void {
    this.breakerOpen.set(1);
    this.logger.warn(
      { probeIntervalMs: this.timings.probeIntervalMs },
      'Stripe is failing: webhook worker paused for every event until a probe of Stripe answers',
    );
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.probeTimer || this.stopped) return;
    this.probeTimer = this.after(this.timings.probeIntervalMs, () => {
      this.probeTimer = undefined;
      void this.probe();
    });
  }

  private stripeAnswered(): void {
    const since = this.breaker.openSince;
    if (!this.breaker.answered()) return;
    this.breakerOpen.set(0);
    this.logger.log({ pausedMs: Date.now() - since! }, 'Stripe answers again: webhook worker resumed');
    this.wake();
  }

  /** One cheap read; any answer from Stripe (even an error of another kind) closes the breaker. */
  private probe(): Promise<void> {
    this.probing ??= this.gateway
      .call('webhook_probe', (stripe) => stripe.subscriptions.list({ limit: 1 }))
      .then(
        () => true,
        (error: unknown) => !isStripeOutage(error),
      )
      .then((answered) => {
        this.probes.inc({ result: answered ? 'ok' : 'failed' });
        if (answered) this.stripeAnswered();
        else this.scheduleProbe();
      })
      .finally(() => (this.probing = undefined));
    return this.probing;
  }

  /** The heartbeat of a batch being worked on: its events' leases start again. */
  private renew(token: string): void {
    void this.cls
      .run(() => this.events.renew(token, this.timings.leaseMs))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not renew Stripe event leases'));
  }

  /** Runs `task` every `ms()` milliseconds (read each time, so a test can change it). */
  private every(ms: () => number, task: () => void): void {
    this.after(ms(), () => {
      task();
      if (!this.stopped) this.every(ms, task);
    });
  }

  private after(ms: number, task: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      task();
    }, ms);
    timer.unref();
    this.timers.add(timer);
    return timer;
  }
}
