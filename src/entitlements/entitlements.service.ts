import { Injectable } from '@nestjs/common';
import type { PlanId } from '../plans/plans.js';
import { type CompFacts, computeEntitlement, type SubscriptionFacts } from './entitlement-calculator.js';
import type { Entitlement } from './entitlement.entity.js';
import { entitlementView } from './entitlement.view.js';
import { freeEntitlement } from './free-entitlement.js';
import { EntitlementsRepository } from './entitlements.repository.js';

export interface PaymentFailure {
  at: Date;
  invoiceId: string;
}

/** Owns the entitlement row per tenant and env. Billing decides when to recompute; this decides how. */
@Injectable()
export class EntitlementsService {
  constructor(private readonly entitlements: EntitlementsRepository) {}

  /** The stored entitlement, or the free plan a tenant without one has. */
  async get(tenantId: string, env: string): Promise<Entitlement> {
    return (await this.entitlements.find(tenantId, env)) ?? freeEntitlement(tenantId, env);
  }

  /** GET /billing/entitlements: the row as the tenant sees it, with where it comes from. */
  async view(tenantId: string, env: string) {
    return entitlementView(await this.get(tenantId, env));
  }

  /** Recomputes from Stripe's facts and any comp; returns the row and whether the plan or status changed. */
  async recompute(tenantId: string, env: string, subscription: SubscriptionFacts | null, now = new Date()) {
    const current = await this.entitlements.findForUpdate(tenantId, env);
    const comp: CompFacts | null = current?.compPlanId
      ? { planId: current.compPlanId as PlanId, expiresAt: current.compExpiresAt }
      : null;
    const computed = computeEntitlement({ subscription, comp, now });
    const saved = await this.entitlements.save(tenantId, env, {
      planId: computed.planId,
      status: computed.status,
      source: computed.source,
      currentPeriodStart: computed.periodStart,
      currentPeriodEnd: computed.periodEnd,
      cancelAtPeriodEnd: computed.cancelAtPeriodEnd,
      paygEnabled: computed.paygEnabled,
      comped: computed.source === 'comp',
    });
    const changed =
      !current ||
      current.planId !== saved.planId ||
      current.status !== saved.status ||
      current.paygEnabled !== saved.paygEnabled;
    await this.entitlements.notifyChanged(tenantId, env);
    return { entitlement: saved, previous: current, changed };
  }

  /** Sets or clears the comp; the caller (BillingService) recomputes right after, in the same transaction. */
  async setComp(
    tenantId: string,
    env: string,
    comp: { planId: PlanId; reason: string; expiresAt: Date | null } | null,
  ): Promise<void> {
    const current = await this.get(tenantId, env);
    await this.entitlements.save(tenantId, env, {
      ...this.withoutKeys(current),
      compPlanId: comp?.planId ?? null,
      compReason: comp?.reason ?? null,
      compExpiresAt: comp?.expiresAt ?? null,
    });
  }

  /** Tenants whose comp has run out but whose entitlement still says comped. */
  expiredComps(now = new Date()) {
    return this.entitlements.expiredComps(now);
  }

  async recordPaymentFailure(tenantId: string, env: string, failure: PaymentFailure): Promise<void> {
    const current = await this.get(tenantId, env);
    if (current.lastPaymentFailureAt && current.lastPaymentFailureAt >= failure.at) return;
    await this.entitlements.save(tenantId, env, {
      ...this.withoutKeys(current),
      lastPaymentFailureAt: failure.at,
      lastPaymentFailureInvoice: failure.invoiceId,
    });
  }

  private withoutKeys(row: Entitlement): Partial<Entitlement> {
    const { tenantId: _t, env: _e, updatedAt: _u, ...rest } = row;
    return rest;
  }
}
