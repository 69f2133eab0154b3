import { Injectable } from '@nestjs/common';
import { BillingService } from '../billing.service.js';
import type { Actor } from '../../identity/auth/auth-context.js';
import { TenantsService } from '../../identity/tenants.service.js';
import type { CompDto } from '../dto/comp.dto.js';
import { BillingError } from '../billing.errors.js';
import { EntitlementsService } from '../../entitlements/entitlements.service.js';

/** Operators comp tenants; never one they belong to, so nobody comps themselves. */
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
    if (await this.tenants.isMember(tenantId, actor.id)) throw new BillingError('cannot_comp_own_tenant');
  }
}
