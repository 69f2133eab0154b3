import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/errors/app-error.js';
import { ClsService } from 'nestjs-cls';
import { OverageReporter } from './overage/overage-reporter.js';
import type Stripe from 'stripe';
import { type AuditEntry, AuditTrail } from '../common/events/audit-trail.js';
import { isDatabaseUnavailable } from '../database/database-unavailable.js';
import type { TenantScope } from '../identity/auth/auth-context.js';
import { BillingError } from './billing.errors.js';
import { BillingService } from './billing.service.js';
import { CheckoutService } from './checkout.service.js';
import type { SubscriptionRecord } from './entities/subscription-record.entity.js';
import { PlanCatalog } from '../plans/plan-catalog.js';
import { SubscriptionWriter } from './subscription-writer.js';
import type { Plan, PlanId } from '../plans/plans.js';
import { type PreviewClaims, signPreview, verifyPreview } from './preview-token.js';
import { LIVE_STATUSES, META } from './stripe-facts.js';

type Change = 'upgrade' | 'downgrade' | 'cancel' | 'restore';

/**
 * Plan changes. Upgrades take effect now, their proration invoiced and charged at once (a decline
 * changes nothing). Downgrades take effect at the end of the period: Stripe bills the lower price
 * from the next renewal with nothing refunded, and the higher plan stays entitled until then,
 * recorded on the subscription in Stripe. Changing to free cancels at period end.
 */
/** What a preview token vouches for: this tenant's subscription, this plan, this proration instant. */
const previewClaims = (
  scope: TenantScope,
  current: SubscriptionRecord,
  target: Plan,
  prorationDate: number,
): PreviewClaims => ({
  tenantId: scope.tenantId,
  env: scope.env,
  subscriptionId: current.stripeSubscriptionId,
  planId: target.id,
  prorationDate,
});

@Injectable()
export class SubscriptionManagementService {
  private readonly logger = new Logger('Billing');

  constructor(
    private readonly billing: BillingService,
    private readonly checkout: CheckoutService,
    private readonly catalog: PlanCatalog,
    private readonly audit: AuditTrail,
    private readonly cls: ClsService,
    private readonly overage: OverageReporter,
    private readonly writer: SubscriptionWriter,
  ) {}

  /**
   * Idempotency keys name the intent and the request (the client's Idempotency-Key if it sent one,
   * else this request's id), so only a retry of the same request is deduplicated by Stripe.
   */
  private intent(clientKey: string | undefined, ...parts: Array<string | number | boolean | undefined>): string {
    return [...parts, clientKey ?? this.cls.getId() ?? 'no-request'].join(':');
  }

  async preview(scope: TenantScope, planId: string) {
    const { current, target, change } = await this.plan(scope, planId);
    const periodEnd = current.currentPeriodEnd!;
    if (change !== 'upgrade') {
      const effective = change === 'restore' ? 'now' : 'period_end';
      return {
        plan_id: target.id,
        change,
        effective,
        amount_due_now: 0,
        next_renewal: { at: periodEnd, amount: target.priceCents },
        currency: 'usd',
        proration_date: null,
        preview_token: null,
      };
    }
    const { gateway, prices } = this.billing.stripeFor(scope.env);
    const item = await this.licensedItemId(scope, current);
    const invoice = await gateway.call('invoices.create_preview', (stripe, options) =>
      stripe.invoices.createPreview(
        {
          customer: current.stripeCustomerId,
          subscription: current.stripeSubscriptionId,
          subscription_details: {
            items: [{ id: item, price: prices.priceFor(target.id as Exclude<PlanId, 'free'>) }],
            proration_behavior: 'always_invoice',
          },
        },
        options,
      ),
    );
    // Stripe's clock, not ours, fixes the proration instant; the change sends it back so the charge matches.
    const prorationDate =
      invoice.parent?.subscription_details?.subscription_proration_date ?? Math.floor(Date.now() / 1000);
    const previewToken = signPreview(gateway.settings.secretKey, previewClaims(scope, current, target, prorationDate));
    return {
      plan_id: target.id,
      change,
      effective: 'now',
      amount_due_now: invoice.amount_due,
      next_renewal: { at: periodEnd, amount: target.priceCents },
      currency: invoice.currency,
      proration_date: prorationDate,
      preview_token: previewToken,
    };
  }

  async change(scope: TenantScope, planId: string, prorationDate?: number, previewToken?: string, clientKey?: string) {
    const { current, target, change, paid } = await this.plan(scope, planId);
    if (change === 'cancel') return this.cancel(scope, true, clientKey);
    const { gateway, prices } = this.billing.stripeFor(scope.env);
    if (prorationDate !== undefined) {
      const claims = previewClaims(scope, current, target, prorationDate);
      if (change !== 'upgrade' || !previewToken || !verifyPreview(gateway.settings.secretKey, claims, previewToken))
        throw new BillingError('invalid_preview');
    }
    const item = await this.licensedItemId(scope, current);
    const price = prices.priceFor(target.id as Exclude<PlanId, 'free'>);
    const clearDowngrade = { [META.downgradedFrom]: '', [META.downgradeAt]: '' };
    const params: Stripe.SubscriptionUpdateParams =
      change === 'upgrade'
        ? {
            items: [{ id: item, price }],
            proration_behavior: 'always_invoice',
            proration_date: prorationDate,
            payment_behavior: 'error_if_incomplete',
            metadata: clearDowngrade,
          }
        : change === 'restore'
          ? // Back to the plan already paid for this period: nothing to charge, nothing pending.
            { items: [{ id: item, price }], proration_behavior: 'none', metadata: clearDowngrade }
          : {
              items: [{ id: item, price }],
              proration_behavior: 'none',
              metadata: {
                [META.downgradedFrom]: paid,
                [META.downgradeAt]: String(Math.floor(current.currentPeriodEnd!.getTime() / 1000)),
              },
            };
    await this.writer.write(scope, {
      operation: 'subscriptions.update',
      subscriptionId: current.stripeSubscriptionId,
      intent: this.intent(clientKey, 'plan-change', current.stripeSubscriptionId, target.id, prorationDate ?? 'now'),
      send: (stripe, options) => stripe.subscriptions.update(current.stripeSubscriptionId, params, options),
      applied: (subscription) => subscription.items.data.some((i) => i.price.id === price),
      describe: { change, from: current.planId, to: target.id },
    });
    await this.afterWrite(scope, current.stripeSubscriptionId, {
      action: 'billing.plan_change_requested',
      target: { type: 'subscription', id: current.stripeSubscriptionId },
      metadata: { from: current.planId, to: target.id, change, proration_date: prorationDate ?? null },
    });
    return { change, effective: change === 'downgrade' ? 'period_end' : 'now', plan_id: target.id };
  }

  async cancel(scope: TenantScope, atPeriodEnd: boolean, clientKey?: string) {
    const current = await this.live(scope);
    // Ending now: the overage so far reaches the meter first, and invoice_now bills it on the last invoice.
    if (!atPeriodEnd && current.overageItemId) await this.overage.flush(scope.tenantId, scope.env);
    await this.writer.write(scope, {
      operation: 'subscriptions.cancel',
      subscriptionId: current.stripeSubscriptionId,
      intent: this.intent(clientKey, 'cancel', current.stripeSubscriptionId, atPeriodEnd),
      send: (stripe, options) =>
        atPeriodEnd
          ? stripe.subscriptions.update(current.stripeSubscriptionId, { cancel_at_period_end: true }, options)
          : stripe.subscriptions.cancel(current.stripeSubscriptionId, { invoice_now: true }, options),
      applied: (subscription) => (atPeriodEnd ? subscription.cancel_at_period_end : subscription.status === 'canceled'),
      describe: { at_period_end: atPeriodEnd },
    });
    await this.afterWrite(scope, current.stripeSubscriptionId, {
      action: 'billing.subscription_canceled',
      target: { type: 'subscription', id: current.stripeSubscriptionId },
      metadata: { at_period_end: atPeriodEnd },
    });
    return { canceled: true, at_period_end: atPeriodEnd, ends_at: atPeriodEnd ? current.currentPeriodEnd : new Date() };
  }

  /** Undoes a pending cancel; after a full cancellation, offers a new checkout for the last plan. */
  async reactivate(
    scope: TenantScope,
    clientKey?: string,
  ): Promise<{ reactivated: boolean; url?: string; session_id?: string }> {
    this.billing.stripeFor(scope.env);
    const current = await this.billing.currentSubscription(scope);
    if (current && LIVE_STATUSES.has(current.status)) {
      if (!current.cancelAtPeriodEnd) return { reactivated: true };
      await this.writer.write(scope, {
        operation: 'subscriptions.update',
        subscriptionId: current.stripeSubscriptionId,
        intent: this.intent(clientKey, 'reactivate', current.stripeSubscriptionId),
        send: (stripe, options) =>
          stripe.subscriptions.update(current.stripeSubscriptionId, { cancel_at_period_end: false }, options),
        applied: (subscription) => !subscription.cancel_at_period_end,
        describe: { reactivate: true },
      });
      await this.afterWrite(scope, current.stripeSubscriptionId, {
        action: 'billing.subscription_reactivated',
        target: { type: 'subscription', id: current.stripeSubscriptionId },
      });
      return { reactivated: true };
    }
    if (!current?.planId || current.planId === 'free') throw new BillingError('no_subscription');
    const session = await this.checkout.checkout(scope, { planId: current.planId, clientKey });
    await this.audit.record({
      action: 'billing.subscription_reactivated',
      target: { type: 'checkout_session', id: session.session_id },
      metadata: { via: 'checkout' },
    });
    return { reactivated: false, ...session };
  }

  /** PAYG follows Stripe: on when the subscription has the overage price, off when it does not. */
  async payg(
    scope: TenantScope,
    enable: boolean,
    clientKey?: string,
  ): Promise<{ payg_enabled: boolean; url?: string; session_id?: string }> {
    const current = await this.billing.currentSubscription(scope);
    const { prices } = this.billing.stripeFor(scope.env);
    if (!current || !LIVE_STATUSES.has(current.status)) {
      if (!enable) return { payg_enabled: false };
      const session = await this.checkout.checkout(scope, { planId: 'free', withOverage: true, clientKey });
      await this.audit.record({ action: 'billing.payg_toggled', metadata: { enable, via: 'checkout' } });
      return { payg_enabled: false, ...session };
    }
    if (enable === !!current.overageItemId) return { payg_enabled: enable };
    const overage = prices.priceFor('overage');
    if (!overage) throw new BillingError('billing_not_configured');
    const items = enable ? [{ price: overage }] : [{ id: current.overageItemId!, deleted: true }];
    await this.writer.write(scope, {
      operation: 'subscriptions.update',
      subscriptionId: current.stripeSubscriptionId,
      intent: this.intent(clientKey, 'payg', current.stripeSubscriptionId, enable),
      send: (stripe, options) =>
        stripe.subscriptions.update(current.stripeSubscriptionId, { items, proration_behavior: 'none' }, options),
      applied: (subscription) => subscription.items.data.some((i) => i.price.id === overage) === enable,
      describe: { payg: enable },
    });
    const synced = await this.afterWrite(scope, current.stripeSubscriptionId, {
      action: 'billing.payg_toggled',
      target: { type: 'subscription', id: current.stripeSubscriptionId },
      metadata: { enable },
    });
    return { payg_enabled: synced ? synced.entitlement.paygEnabled : enable };
  }

  /**
   * Stripe made the change: audit it, and sync the mirror now if Stripe and the database answer in
   * time, or from the change's webhook otherwise. The answer is the change, either way: never an
   * error that would read as "nothing changed".
   */
  private async afterWrite(scope: TenantScope, subscriptionId: string, entry: AuditEntry) {
    try {
      await this.audit.record(entry);
      return await this.billing.syncSubscription(scope.tenantId, scope.env, subscriptionId);
    } catch (error) {
      const stripeSlow = error instanceof AppError && error.code === 'stripe_unavailable';
      if (!stripeSlow && !isDatabaseUnavailable(error)) throw error;
      this.logger.warn({ subscriptionId, err: error }, 'Stripe made the change; the mirror follows from its webhook');
      return undefined;
    }
  }

  private async live(scope: TenantScope): Promise<SubscriptionRecord> {
    this.billing.stripeFor(scope.env);
    const current = await this.billing.currentSubscription(scope);
    if (!current || !LIVE_STATUSES.has(current.status) || !current.currentPeriodEnd)
      throw new BillingError('no_subscription');
    return current;
  }

  /**
   * Classifies a change against the plan paid for this period: the current one, or, while a downgrade
   * is pending, the plan downgraded from (an upgrade then would charge again for time already paid).
   */
  private async plan(
    scope: TenantScope,
    planId: string,
  ): Promise<{ current: SubscriptionRecord; target: Plan; change: Change; paid: PlanId }> {
    this.billing.stripeFor(scope.env);
    const target = this.catalog.find(planId);
    if (!target) throw new BillingError('unknown_plan', `There is no plan "${planId}"; see GET /billing/plans.`);
    const current = await this.live(scope);
    const pending =
      !!current.downgradedFrom &&
      !!current.downgradeEffectiveAt &&
      current.currentPeriodStart! < current.downgradeEffectiveAt;
    // A PAYG-only subscription has no plan item: it is on free, and any plan is an upgrade that adds one.
    const paid = ((pending ? current.downgradedFrom : current.planId) ?? 'free') as PlanId;
    if ((current.planId ?? 'free') === target.id) throw new BillingError('same_plan');
    if (target.priceCents === 0) return { current, target, change: 'cancel', paid };
    if (pending && target.id === paid) return { current, target, change: 'restore', paid };
    const paidPrice = this.catalog.get(paid).priceCents;
    if (target.priceCents > paidPrice && pending)
      throw new BillingError('downgrade_pending', undefined, { plan_paid_for: paid });
    return { current, target, change: target.priceCents > paidPrice ? 'upgrade' : 'downgrade', paid };
  }

  /** The plan item to swap, or none on a PAYG-only subscription (the new plan is then added as an item). */
  private async licensedItemId(scope: TenantScope, current: SubscriptionRecord): Promise<string | undefined> {
    if (!current.priceId) return undefined;
    const { gateway } = this.billing.stripeFor(scope.env);
    const subscription = await gateway.call('subscriptions.retrieve', (stripe, options) =>
      stripe.subscriptions.retrieve(current.stripeSubscriptionId, {}, options),
    );
    const item = subscription.items.data.find((i) => i.price.id === current.priceId);
    if (!item) throw new BillingError('no_subscription', 'The subscription has no plan item.');
    return item.id;
  }
}
