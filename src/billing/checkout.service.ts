import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../common/events/audit-trail.js';
import { AppConfig } from '../config/app-config.js';
import type { TenantScope } from '../identity/auth/auth-context.js';
import { BillingError } from './billing.errors.js';
import { BillingService } from './billing.service.js';
import { PlanCatalog } from '../plans/plan-catalog.js';
import type { PlanId } from '../plans/plans.js';
import { allowedRedirect } from './redirect-urls.js';
import { LIVE_STATUSES, META } from './stripe-facts.js';

export interface CheckoutRequest {
  planId: string;
  successUrl?: string;
  cancelUrl?: string;
  /** Adds the metered overage price (PAYG). */
  withOverage?: boolean;
  /** The client's Idempotency-Key header, if it sent one. */
  clientKey?: string;
}

/** Without a client key, the same request within this window returns the same session. */
const REPEAT_WINDOW_MS = 10 * 60_000;

@Injectable()
export class CheckoutService {
  constructor(
    private readonly billing: BillingService,
    private readonly catalog: PlanCatalog,
    private readonly config: AppConfig,
    private readonly audit: AuditTrail,
  ) {}

  async checkout(scope: TenantScope, request: CheckoutRequest) {
    const { gateway, prices } = this.billing.stripeFor(scope.env);
    const plan = this.catalog.find(request.planId);
    if (!plan) throw new BillingError('unknown_plan', `There is no plan "${request.planId}"; see GET /billing/plans.`);
    if (plan.priceCents === 0 && !request.withOverage) throw new BillingError('plan_not_purchasable');
    const current = await this.billing.currentSubscription(scope);
    if (current && LIVE_STATUSES.has(current.status))
      throw new BillingError('already_subscribed', undefined, {
        change_url: '/billing/subscription/change',
        current_plan: current.planId,
      });
    const lineItems = [
      ...(plan.priceCents > 0
        ? [{ price: this.price(prices.priceFor(plan.id as Exclude<PlanId, 'free'>)), quantity: 1 }]
        : []),
      ...(request.withOverage ? [{ price: this.price(prices.priceFor('overage')) }] : []),
    ];
    const successUrl = allowedRedirect(
      this.config,
      request.successUrl,
      '/billing/success?session_id={CHECKOUT_SESSION_ID}',
    );
    const cancelUrl = allowedRedirect(this.config, request.cancelUrl, '/billing/cancel');
    const customer = (await this.billing.customerId(scope, true))!;
    const metadata = { [META.tenant]: scope.tenantId, [META.env]: scope.env, plan_id: plan.id };
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([plan.id, !!request.withOverage, successUrl, cancelUrl]))
      .digest('hex')
      .slice(0, 16);
    const repeat = request.clientKey ?? String(Math.floor(Date.now() / REPEAT_WINDOW_MS));
    const session = await gateway.call(
      'checkout.sessions.create',
      (stripe, options) =>
        stripe.checkout.sessions.create(
          {
            mode: 'subscription',
            customer,
            client_reference_id: scope.tenantId,
            line_items: lineItems,
            success_url: successUrl,
            cancel_url: cancelUrl,
            metadata,
            subscription_data: { metadata },
          },
          options,
        ),
      `checkout:${scope.tenantId}:${scope.env}:${fingerprint}:${repeat}`,
    );
    await this.expireOthers(scope, customer, session.id);
    await this.audit.record({
      action: 'billing.checkout_initiated',
      target: { type: 'checkout_session', id: session.id },
      metadata: { plan_id: plan.id, payg: !!request.withOverage },
    });
    return { url: session.url!, session_id: session.id };
  }

  async portal(scope: TenantScope, returnUrl?: string) {
    const { gateway } = this.billing.stripeFor(scope.env);
    const customer = await this.billing.customerId(scope, false);
    if (!customer) throw new BillingError('no_billing_account');
    const returnTo = allowedRedirect(this.config, returnUrl, '/billing');
    const session = await gateway.call(
      'billing_portal.sessions.create',
      (stripe, options) => stripe.billingPortal.sessions.create({ customer, return_url: returnTo }, options),
      `portal:${customer}:${createHash('sha256').update(returnTo).digest('hex').slice(0, 16)}:${Math.floor(Date.now() / REPEAT_WINDOW_MS)}`,
    );
    return { url: session.url };
  }

  /** Only the newest checkout can be paid: two completed sessions would be two paid subscriptions. */
  private async expireOthers(scope: TenantScope, customer: string, keep: string): Promise<void> {
    const { gateway } = this.billing.stripeFor(scope.env);
    const open = await gateway.call('checkout.sessions.list', (stripe, options) =>
      stripe.checkout.sessions.list({ customer, status: 'open', limit: 100 }, options),
    );
    for (const session of open.data.filter((s) => s.id !== keep && s.status === 'open')) {
      await gateway.call(
        'checkout.sessions.expire',
        (stripe, options) => stripe.checkout.sessions.expire(session.id, {}, options),
        `checkout-expire:${session.id}`,
      );
    }
  }

  private price(id: string | undefined): string {
    if (!id) throw new BillingError('billing_not_configured');
    return id;
  }
}
