import { Injectable } from '@nestjs/common';
import { BillingService } from '../billing.service.js';
import type { Actor } from '../../identity/auth/auth-context.js';
import { TenantsService } from '../../identity/tenants.service.js';
import type { CompDto } from '../dto/comp.dto.js';
import { BillingError } from '../billing.errors.js';
import { EntitlementsService } from '../../entitlements/entitlements.service.js';

const FORMER_MEMBER_WAIT_DAYS = 30;
const FORMER_MEMBER_WAIT_MS = FORMER_MEMBER_WAIT_DAYS * 86_400_000;

/**
 * Operators comp tenants; never one they belong to, nor one they left in the last 30 days, so nobody
 * comps themselves (chosen over a second operator's approval: see docs/decisions.md).
 */
@Injectable()
export class CompsService {
  constructor(
    private readonly billing: BillingService,
    private readonly tenants: TenantsService,
    private readonly entitlements: EntitlementsService,
  ) {}

  async set(actor: Actor, tenantId: string, dto: CompDto) {
    await this.assertMayComp(actor, tenantId);
    const expiresAt = dto.expires_at ? new Date(dto.expires_at) : null;
    await this.billing.setComp(tenantId, dto.env, { planId: dto.plan_id, reason: dto.reason, expiresAt });
    return this.entitlements.view(tenantId, dto.env);
  }

  async remove(actor: Actor, tenantId: string, env: string) {
    await this.assertMayComp(actor, tenantId);
    await this.billing.setComp(tenantId, env, null);
    return this.entitlements.view(tenantId, env);
  }

  private async assertMayComp(actor: Actor, tenantId: string): Promise<void> {
    if (!(await this.tenants.exists(tenantId))) throw new BillingError('tenant_not_found');
    const { member, leftAt } = await this.tenants.membershipOf(tenantId, actor.id);
    if (member) throw new BillingError('cannot_comp_own_tenant');
    // Checked against the last time they left too, or an owner could remove the operator, let them
    // comp, and add them back.
    const allowedFrom = leftAt && new Date(leftAt.getTime() + FORMER_MEMBER_WAIT_MS);
    if (allowedFrom && allowedFrom.getTime() > Date.now())
      throw new BillingError(
        'cannot_comp_own_tenant',
        `Operators cannot comp a tenant they belonged to in the last ${FORMER_MEMBER_WAIT_DAYS} days: you left this one at ${leftAt.toISOString()}, so you may comp it from ${allowedFrom.toISOString()}.`,
        { comp_allowed_from: allowedFrom.toISOString() },
      );
  }
}
