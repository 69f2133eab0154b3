import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import type Stripe from 'stripe';
import { AppError } from '../common/errors/app-error.js';
import { AuditTrail } from '../common/events/audit-trail.js';
import type { TenantScope } from '../identity/auth/auth-context.js';
import { BillingError } from './billing.errors.js';
import { BillingService } from './billing.service.js';
import { answerNeverCame, mayHaveTakenEffect } from './stripe/stripe-error-mapper.js';

/** One change to a Stripe subscription, asked for by a request. */
export interface SubscriptionWrite {
  /** Stripe's operation name, for metrics. */
  operation: string;
  subscriptionId: string;
  /** The idempotency key: sending it again can only replay or complete this one change. */
  intent: string;
  send: (stripe: Stripe, options: Stripe.RequestOptions) => Promise<unknown>;
  /** Whether the subscription, as Stripe holds it, shows this change made. */
  applied: (subscription: Stripe.Subscription) => boolean;
  /** What is being asked for, for the audit log. */
  describe: Record<string, unknown>;
}

/** Stripe's own answer to the request: a success or a refusal, not a failure to hear back. */
const definite = (error: unknown) =>
  !mayHaveTakenEffect(error) && !(error instanceof AppError && error.code === 'stripe_unavailable');

/** Seconds between background reads of a subscription whose write had no answer. */
const CHECK_AFTER_SECONDS = [1, 5, 15, 30, 60, 120, 300, 900, 3_600, 3_600, 3_600];
/** A write not seen by then is taken as never made: Stripe does not keep working on a request for minutes. */
const SETTLED_AFTER_MS = 120_000;
/** On the request path, what the first attempt leaves for sending once more and reading back. */
const RESEND_RESERVE_MS = 4_000;
/** What the resend leaves for reading back. */
const READ_BACK_RESERVE_MS = 1_500;

/**
 * Subscription writes on the request path, whose answer Stripe may never give us in time. The
 * intent is audited before Stripe is called. When no answer came (a timeout, a dropped connection),
 * the same write is sent again with the same idempotency key: Stripe then replays the first
 * attempt's result or, if it never arrived, makes the change once. Otherwise (a 5xx, which Stripe
 * replays under the key; or still no answer) the subscription is read back. Seen made: success.
 * Not seen: 202 `stripe_outcome_unknown`, and the subscription is read again in the background
 * until the change shows or has clearly not been made, then synced and the outcome audited. The
 * background never sends the write again: a newer change the tenant made meanwhile must stand.
 */
@Injectable()
export class SubscriptionWriter implements OnApplicationShutdown {
  private readonly logger = new Logger('StripeOutcome');
  private readonly pending = new Set<NodeJS.Timeout>();

  constructor(
    private readonly billing: BillingService,
    private readonly audit: AuditTrail,
    private readonly cls: ClsService,
  ) {}

  async write(scope: TenantScope, write: SubscriptionWrite): Promise<void> {
    const { gateway } = this.billing.stripeFor(scope.env);
    await this.audit.record({
      action: 'billing.stripe_write_requested',
      target: { type: 'subscription', id: write.subscriptionId },
      metadata: { write_id: write.intent, operation: write.operation, ...write.describe },
    });
    const startedAt = Date.now();
    const attempt = (reserveMs: number) => gateway.call(write.operation, write.send, write.intent, { reserveMs });
    let lost: unknown;
    try {
      await attempt(RESEND_RESERVE_MS);
      return;
    } catch (error) {
      if (!mayHaveTakenEffect(error)) return this.failed(write, error);
      lost = error;
    }
    if (answerNeverCame(lost)) {
      try {
        await attempt(READ_BACK_RESERVE_MS);
        return;
      } catch (error) {
        // Only Stripe's own answer settles it; a resend that failed on the way says nothing of the first.
        if (definite(error)) return this.failed(write, error);
      }
    }
    const seen = await this.read(scope, write).catch(() => undefined);
    if (seen && write.applied(seen)) return;
    await this.audit.record({
      action: 'billing.stripe_outcome_unknown',
      target: { type: 'subscription', id: write.subscriptionId },
      metadata: { write_id: write.intent, operation: write.operation },
    });
    this.checkLater(scope, write, startedAt, 0);
    throw new BillingError('stripe_outcome_unknown', undefined, { subscription_id: write.subscriptionId });
  }

  onApplicationShutdown(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }

  private read(scope: TenantScope, write: SubscriptionWrite): Promise<Stripe.Subscription> {
    const { gateway } = this.billing.stripeFor(scope.env);
    return gateway.call('subscriptions.retrieve', (stripe, options) =>
      stripe.subscriptions.retrieve(write.subscriptionId, {}, options),
    );
  }

  private async failed(write: SubscriptionWrite, error: unknown): Promise<never> {
    await this.audit.record({
      action: 'billing.stripe_write_failed',
      target: { type: 'subscription', id: write.subscriptionId },
      metadata: {
        write_id: write.intent,
        operation: write.operation,
        code: error instanceof AppError ? error.code : 'internal_error',
      },
    });
    throw error;
  }

  private checkLater(scope: TenantScope, write: SubscriptionWrite, startedAt: number, round: number): void {
    const seconds = CHECK_AFTER_SECONDS[round];
    if (seconds === undefined) {
      this.logger.error(
        { tenantId: scope.tenantId, env: scope.env, writeId: write.intent },
        'Stripe could not be read to settle a subscription write; check the subscription in Stripe (docs/billing/api.md)',
      );
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      // A context of its own: the timer would otherwise carry the request's, and its spent Stripe budget.
      void this.cls.run({ ifNested: 'override' }, () => this.check(scope, write, startedAt, round));
    }, seconds * 1_000);
    timer.unref();
    this.pending.add(timer);
  }

  /** Reads the subscription: the change shows (applied), or long enough has passed that it never will (not_applied). */
  private async check(scope: TenantScope, write: SubscriptionWrite, startedAt: number, round: number): Promise<void> {
    let outcome: 'applied' | 'not_applied' | undefined;
    try {
      const { read } = await this.billing.syncSubscription(scope.tenantId, scope.env, write.subscriptionId);
      if (write.applied(read)) outcome = 'applied';
      else if (Date.now() - startedAt >= SETTLED_AFTER_MS) outcome = 'not_applied';
    } catch (error) {
      this.logger.warn(
        { tenantId: scope.tenantId, env: scope.env, writeId: write.intent, round, err: error },
        'could not read a subscription to settle a Stripe write; reading again later',
      );
    }
    if (!outcome) return this.checkLater(scope, write, startedAt, round + 1);
    await this.audit
      .record({
        action: 'billing.stripe_outcome_reconciled',
        tenantId: scope.tenantId,
        env: scope.env,
        actor: { type: 'system' },
        target: { type: 'subscription', id: write.subscriptionId },
        metadata: { write_id: write.intent, operation: write.operation, outcome },
      })
      .catch((error: unknown) =>
        this.logger.error({ err: error, writeId: write.intent }, 'could not audit an outcome'),
      );
  }
}
