import { Transactional } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type Stripe from 'stripe';
import { AuditTrail } from '../common/events/audit-trail.js';
import { BillingEventPublisher, type NewBillingEvent } from '../common/events/billing-event.js';
import { EntitlementsService } from '../entitlements/entitlements.service.js';
import type { TenantScope } from '../identity/auth/auth-context.js';
import { BillingError } from './billing.errors.js';
import { PAYMENT_FAILURES } from './billing-metrics.js';
import {
  BillingRecordsRepository,
  currentOf,
  newestFirst,
  RECENT_SUBSCRIPTIONS,
} from './billing-records.repository.js';
import type { SubscriptionRecord } from './entities/subscription-record.entity.js';
import { entitlementEvent, invoiceEvent, subscriptionEvent } from './billing-stream-events.js';
import { PlanPrices } from './stripe/plan-prices.js';
import { StripeConnection } from './stripe/stripe-connection.js';
import type { StripeGateway } from './stripe/stripe-gateway.js';
import type { PlanId } from '../plans/plans.js';
import { factsOf, META, subscriptionRecord } from './stripe-facts.js';

export interface StripeAccess {
  gateway: StripeGateway;
  prices: PlanPrices;
}

/**
 * The single writer of billing state. Whatever triggers a change (an API action, a webhook), the
 * state written is what Stripe reports when asked, read under a per-tenant lock, so duplicate,
 * late or concurrent triggers all converge on Stripe's latest truth.
 */
@Injectable()
export class BillingService {
  constructor(
    private readonly records: BillingRecordsRepository,
    private readonly entitlements: EntitlementsService,
    private readonly audit: AuditTrail,
    private readonly events: BillingEventPublisher,
    @InjectMetric(PAYMENT_FAILURES) private readonly paymentFailures: Counter<string>,
    private readonly stripe: StripeConnection,
    private readonly prices: PlanPrices,
  ) {}

  /** Stripe for this tenant's env, or the reason there is none (billing disabled, or another env's key). */
  stripeFor(env: string): StripeAccess {
    return { gateway: this.stripe.forEnv(env), prices: this.prices };
  }

  /** The tenant's Stripe customer, created (once, whatever the concurrency) when asked to. */
  async customerId(scope: TenantScope, create: boolean): Promise<string | null> {
    const existing = await this.records.customer(scope.tenantId, scope.env);
    if (existing || !create) return existing?.stripeCustomerId ?? null;
    const { gateway } = this.stripeFor(scope.env);
    const customer = await gateway.call(
      'customers.create',
      (stripe, options) =>
        stripe.customers.create({ metadata: { [META.tenant]: scope.tenantId, [META.env]: scope.env } }, options),
      `customer:${scope.tenantId}:${scope.env}`,
    );
    await this.records.insertCustomer(scope.tenantId, scope.env, customer.id);
    return (await this.records.customer(scope.tenantId, scope.env))!.stripeCustomerId;
  }

  /**
   * Re-reads a subscription from Stripe and applies it: mirror row, then the entitlement. Stripe is
   * read before the tenant's lock and transaction, so a slow Stripe holds no connection; the read's
   * ticket keeps an older read that finishes later from overwriting a newer one.
   */
  async syncSubscription(tenantId: string, env: string, subscriptionId: string) {
    const { gateway } = this.stripeFor(env);
    const ticket = await this.records.nextReadTicket();
    const subscription = await gateway.call('subscriptions.retrieve', (stripe, options) =>
      stripe.subscriptions.retrieve(subscriptionId, {}, options),
    );
    return this.applySubscription(tenantId, env, subscription, ticket);
  }

  /** Applies a subscription as Stripe reported it to a read with this ticket, under the tenant's lock; returns it as `read`. */
  @Transactional()
  async applySubscription(tenantId: string, env: string, subscription: Stripe.Subscription, ticket: number) {
    await this.records.lockTenant(tenantId, env);
    await this.assertOwnership(subscription, tenantId, env);
    // Most tenants have a handful of subscriptions: one read of all of them serves both the event
    // (what changed) and the recomputation (which one counts). Past that, each is read on its own.
    const recent = await this.records.recentSubscriptions(tenantId, env);
    const whole = recent.length < RECENT_SUBSCRIPTIONS;
    const previous =
      recent.find((s) => s.stripeSubscriptionId === subscription.id) ??
      (whole ? null : await this.records.subscription(tenantId, env, subscription.id));
    if (previous && previous.readTicket > ticket)
      return { ...(await this.recompute(tenantId, env)), read: subscription };
    const record = {
      ...subscriptionRecord(subscription, this.prices, tenantId, env),
      syncedAt: new Date(),
      readTicket: ticket,
    };
    await this.records.saveSubscription(record);
    await this.publish(subscriptionEvent(previous, record));
    const current = whole
      ? currentOf([...recent.filter((s) => s.stripeSubscriptionId !== subscription.id), record].sort(newestFirst))
      : undefined;
    return { ...(await this.recompute(tenantId, env, { type: 'stripe' }, current)), read: subscription };
  }

  /** Re-reads an invoice from Stripe (before any lock, as a subscription), mirrors it and flags a failed payment. */
  async syncInvoice(tenantId: string, env: string, invoiceId: string, paymentFailed: boolean) {
    const { gateway } = this.stripeFor(env);
    const ticket = await this.records.nextReadTicket();
    const invoice = await gateway.call('invoices.retrieve', (stripe, options) =>
      stripe.invoices.retrieve(invoiceId, {}, options),
    );
    return this.applyInvoice(tenantId, env, invoice, paymentFailed, ticket);
  }

  @Transactional()
  private async applyInvoice(
    tenantId: string,
    env: string,
    invoice: Stripe.Invoice,
    paymentFailed: boolean,
    ticket: number,
  ) {
    await this.records.lockTenant(tenantId, env);
    const customerId = typeof invoice.customer === 'string' ? invoice.customer : invoice.customer?.id;
    const mapped = customerId ? await this.records.customerByStripeId(customerId) : null;
    if (!mapped || mapped.tenantId !== tenantId || mapped.env !== env) throw new BillingError('tenant_mismatch');
    const subscriptionId = invoice.parent?.subscription_details?.subscription;
    const failedAt = paymentFailed ? new Date(invoice.created * 1000) : null;
    const previous = await this.records.invoice(tenantId, env, invoice.id);
    if (previous && previous.readTicket > ticket) return invoice;
    const record = {
      stripeInvoiceId: invoice.id,
      tenantId,
      env,
      stripeSubscriptionId: typeof subscriptionId === 'string' ? subscriptionId : (subscriptionId?.id ?? null),
      status: invoice.status ?? 'draft',
      billingReason: invoice.billing_reason ?? null,
      currency: invoice.currency,
      amountDue: invoice.amount_due,
      amountPaid: invoice.amount_paid,
      periodStart: new Date(invoice.period_start * 1000),
      periodEnd: new Date(invoice.period_end * 1000),
      hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
      paymentFailedAt: failedAt ?? previous?.paymentFailedAt ?? null,
      stripeCreated: invoice.created,
      readTicket: ticket,
    };
    await this.records.saveInvoice(record);
    const failedNow = !!failedAt && !previous?.paymentFailedAt;
    await this.publish(invoiceEvent(previous, record, failedNow));
    if (failedNow) {
      await this.entitlements.recordPaymentFailure(tenantId, env, { at: failedAt, invoiceId: invoice.id });
      this.paymentFailures.inc({ env });
      await this.audit.record({
        action: 'invoice.payment_failed',
        tenantId,
        env,
        actor: { type: 'stripe' },
        target: { type: 'invoice', id: invoice.id },
        metadata: { amount_due: invoice.amount_due },
      });
    }
    return invoice;
  }

  /** An operator's comp: a named plan free, with a reason and maybe an end; a subscription does not override it while it lasts. */
  @Transactional()
  async setComp(
    tenantId: string,
    env: string,
    comp: { planId: PlanId; reason: string; expiresAt: Date | null } | null,
  ) {
    await this.records.lockTenant(tenantId, env);
    await this.entitlements.setComp(tenantId, env, comp);
    const result = await this.recompute(tenantId, env, null);
    await this.audit.record({
      action: comp ? 'entitlement.comp_set' : 'entitlement.comp_removed',
      tenantId,
      env,
      target: { type: 'tenant', id: tenantId },
      metadata: comp
        ? { plan_id: comp.planId, reason: comp.reason, expires_at: comp.expiresAt?.toISOString() ?? null }
        : {},
    });
    return result.entitlement;
  }

  /** Recomputes one tenant's entitlement from what we hold (a comp ran out, say). */
  @Transactional()
  async recomputeEntitlement(tenantId: string, env: string) {
    await this.records.lockTenant(tenantId, env);
    return this.recompute(tenantId, env, { type: 'system' });
  }

  /** Which tenant a Stripe customer belongs to, from our mapping. */
  async tenantOfCustomer(stripeCustomerId: string) {
    return this.records.customerByStripeId(stripeCustomerId);
  }

  async currentSubscription(scope: TenantScope) {
    return this.records.currentSubscription(scope.tenantId, scope.env);
  }

  /** `actor` null: whoever made the request (an operator's comp, say); Stripe by default. `known`: the current subscription, when the caller has just read it. */
  private async recompute(
    tenantId: string,
    env: string,
    actor: { type: 'stripe' | 'system' } | null = { type: 'stripe' },
    known?: SubscriptionRecord | null,
  ) {
    const current = known !== undefined ? known : await this.records.currentSubscription(tenantId, env);
    const result = await this.entitlements.recompute(tenantId, env, factsOf(current));
    await this.publish(entitlementEvent(result.previous, result.entitlement));
    if (result.changed) {
      await this.audit.record({
        action: 'entitlement.changed',
        tenantId,
        env,
        actor: actor ?? undefined,
        target: { type: 'entitlement', id: `${tenantId}:${env}` },
        metadata: {
          from: result.previous ? { plan: result.previous.planId, status: result.previous.status } : null,
          to: { plan: result.entitlement.planId, status: result.entitlement.status },
        },
      });
    }
    return { subscription: current, ...result };
  }

  private async publish(event: NewBillingEvent | null): Promise<void> {
    if (event) await this.events.publish(event);
  }

  /** Our metadata on the subscription and our customer mapping must both name this tenant and env. */
  private async assertOwnership(subscription: Stripe.Subscription, tenantId: string, env: string): Promise<void> {
    const customerId = typeof subscription.customer === 'string' ? subscription.customer : subscription.customer.id;
    const mapped = await this.records.customerByStripeId(customerId);
    const metadata = subscription.metadata ?? {};
    if (
      metadata[META.tenant] !== tenantId ||
      metadata[META.env] !== env ||
      mapped?.tenantId !== tenantId ||
      mapped?.env !== env
    ) {
      throw new BillingError(
        'tenant_mismatch',
        `Subscription ${subscription.id} does not belong to tenant ${tenantId} (${env}).`,
      );
    }
  }
}
