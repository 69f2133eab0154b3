import { Injectable } from '@nestjs/common';
import { EntitlementsService } from '../entitlements/entitlements.service.js';
import type { TenantScope } from '../identity/auth/auth-context.js';
import { quotaPeriod, snapshotOf } from '../entitlements/entitlement-snapshot.js';
import { UsageMeter } from '../usage/usage-meter.js';
import { BillingRecordsRepository } from './billing-records.repository.js';
import { PlanCatalog } from '../plans/plan-catalog.js';
import type { PlanId } from '../plans/plans.js';

/** GET /billing/status: what the tenant has, what it used, and what Stripe says about its subscription. */
@Injectable()
export class BillingStatusService {
  constructor(
    private readonly entitlements: EntitlementsService,
    private readonly meter: UsageMeter,
    private readonly records: BillingRecordsRepository,
    private readonly catalog: PlanCatalog,
  ) {}

  async status(scope: TenantScope) {
    const entitlement = await this.entitlements.get(scope.tenantId, scope.env);
    const plan = this.catalog.get(entitlement.planId as PlanId);
    const period = quotaPeriod(snapshotOf(entitlement), new Date());
    const { used } = await this.meter.read({
      tenantId: scope.tenantId,
      env: scope.env,
      meter: 'characters',
      periodStart: period.start,
    });
    const subscription = await this.records.currentSubscription(scope.tenantId, scope.env);
    return {
      env: scope.env,
      plan: { id: plan.id, name: plan.name },
      source: entitlement.source,
      status: entitlement.status,
      comped: entitlement.comped,
      subscription: subscription && {
        id: subscription.stripeSubscriptionId,
        status: subscription.status,
        plan_id: subscription.planId,
        current_period_start: subscription.currentPeriodStart,
        current_period_end: subscription.currentPeriodEnd,
        cancel_at_period_end: subscription.cancelAtPeriodEnd,
        pending_downgrade:
          subscription.downgradedFrom &&
          subscription.downgradeEffectiveAt &&
          subscription.currentPeriodStart! < subscription.downgradeEffectiveAt
            ? { to: subscription.planId, effective_at: subscription.downgradeEffectiveAt }
            : null,
      },
      current_period: { start: period.start, end: period.end },
      cancel_at_period_end: entitlement.cancelAtPeriodEnd,
      quota: {
        meter: 'characters',
        limit: plan.monthlyCharacters,
        used,
        remaining: Math.max(plan.monthlyCharacters - used, 0),
        resets_at: period.end,
      },
      rate_limit: { requests_per_hour: plan.requestsPerHour },
      payg_enabled: entitlement.paygEnabled,
      last_payment_failure: entitlement.lastPaymentFailureAt
        ? { at: entitlement.lastPaymentFailureAt, invoice_id: entitlement.lastPaymentFailureInvoice }
        : null,
    };
  }
}
