import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import type Stripe from 'stripe';
import { AppError } from '../common/errors/app-error.js';
import { AuditTrail } from '../common/events/audit-trail.js';
import type { TenantScope } from '../identity/auth/auth-context.js';
import { BillingError } from './billing.errors.js';
import { BillingService } from './billing.service.js';
import { mayHaveTakenEffect } from './stripe/stripe-error-mapper.js';

/** One change to a Stripe subscription, asked for by a request. */
export interface SubscriptionWrite {
  /** Stripe's operation name, for metrics. */
  operation: string;
  subscriptionId: string;
  /** The idempotency key: sending it again can only replay or complete this one change. */
  intent: string;
  send: (stripe: Stripe, options: Stripe.RequestOptions) => Promise<unknown>;
  /** What is being asked for, for the audit log. */
  describe: Record<string, unknown>;
}

/** Stripe's own answer to the request: a success or a refusal, not a failure to hear back. */
const definite = (error: unknown) =>
  !mayHaveTakenEffect(error) && !(error instanceof AppError && error.code === 'stripe_unavailable');

/** Seconds between background attempts to learn an unknown outcome; Stripe keeps an idempotency key for 24 hours. */
const RECONCILE_AFTER_SECONDS = [1, 5, 15, 30, 60, 300, 900, 3_600, 3_600, 3_600];
/** On the request path, what the first attempt leaves for sending once more. */
const RESEND_RESERVE_MS = 3_000;

/**
 * Subscription writes on the request path, whose answer Stripe may never give us in time. The
 * intent is audited before Stripe is called. When the answer is lost (a timeout, a 5xx), the same
 * write is sent again with the same idempotency key: Stripe then replays the first attempt's result
 * or, if it never arrived, makes the change once. When even that is unknown, the caller gets 202
 * `stripe_outcome_unknown` and this keeps asking in the background until Stripe answers, then
 * syncs the subscription and audits the outcome. Never "nothing changed" for a change that may have.
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
    const attempt = (reserveMs: number) => gateway.call(write.operation, write.send, write.intent, { reserveMs });
    try {
      await attempt(RESEND_RESERVE_MS);
      return;
    } catch (error) {
      if (!mayHaveTakenEffect(error)) return this.failed(write, error);
    }
    try {
      await attempt(0);
      return;
    } catch (error) {
      // Only Stripe's own answer settles it; a resend that failed on the way says nothing of the first.
      if (definite(error)) return this.failed(write, error);
      await this.audit.record({
        action: 'billing.stripe_outcome_unknown',
        target: { type: 'subscription', id: write.subscriptionId },
        metadata: { write_id: write.intent, operation: write.operation },
      });
      this.reconcileLater(scope, write, 0);
      throw new BillingError('stripe_outcome_unknown', undefined, { subscription_id: write.subscriptionId });
    }
  }

  onApplicationShutdown(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
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

  private reconcileLater(scope: TenantScope, write: SubscriptionWrite, round: number): void {
    const seconds = RECONCILE_AFTER_SECONDS[round];
    if (seconds === undefined) {
      this.logger.error(
        { tenantId: scope.tenantId, env: scope.env, writeId: write.intent },
        'Stripe never answered a subscription write; check the subscription in Stripe (docs/operations.md)',
      );
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      // A context of its own: the timer would otherwise carry the request's, and its spent Stripe budget.
      void this.cls.run({ ifNested: 'override' }, () => this.reconcile(scope, write, round));
    }, seconds * 1_000);
    timer.unref();
    this.pending.add(timer);
  }

  /** Sends the same write again (same key: a replay, or the change made once), then syncs what Stripe holds. */
  private async reconcile(scope: TenantScope, write: SubscriptionWrite, round: number): Promise<void> {
    let outcome: string;
    try {
      const { gateway } = this.billing.stripeFor(scope.env);
      outcome = await gateway.call(write.operation, write.send, write.intent).then(
        () => 'applied',
        (error: unknown) => {
          if (!definite(error)) throw error;
          return error instanceof AppError ? error.code : 'internal_error';
        },
      );
      await this.billing.syncSubscription(scope.tenantId, scope.env, write.subscriptionId);
    } catch (error) {
      this.logger.warn(
        { tenantId: scope.tenantId, env: scope.env, writeId: write.intent, round, err: error },
        'the outcome of a Stripe write is still unknown; asking again later',
      );
      this.reconcileLater(scope, write, round + 1);
      return;
    }
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
