import { Transactional } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../common/events/audit-trail.js';
import type { StripeEnv } from '../config/app-config.js';
import { ApiKeysService } from './api-keys.service.js';
import type { TenantScope } from './auth/auth-context.js';
import { MembershipsRepository } from './memberships.repository.js';
import { TenantsRepository } from './tenants.repository.js';
import { UsersService } from './users.service.js';
import { tenantView } from './identity.views.js';

@Injectable()
export class TenantsService {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly memberships: MembershipsRepository,
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
    private readonly audit: AuditTrail,
  ) {}

  @Transactional()
  async create(userId: string, name: string) {
    const tenant = await this.tenants.create(name);
    await this.memberships.insertIfAbsent(tenant.id, userId, 'owner');
    await this.audit.record({
      action: 'tenant.created',
      tenantId: tenant.id,
      target: { type: 'tenant', id: tenant.id },
    });
    return { ...tenantView(tenant), role: 'owner' as const };
  }

  async current(scope: TenantScope) {
    const tenant = await this.tenants.findById(scope.tenantId);
    return { ...tenantView(tenant!), env: scope.env, role: scope.role };
  }

  async exists(tenantId: string): Promise<boolean> {
    return !!(await this.tenants.findById(tenantId));
  }

  /** Whether the user belongs to the tenant now, and when they last left it (null if they never did). */
  membershipOf(tenantId: string, userId: string): Promise<{ member: boolean; leftAt: Date | null }> {
    return this.memberships.standing(tenantId, userId);
  }

  /** For operators setting up a customer from the CLI: tenant, owner and an owner API key at once. */
  @Transactional()
  async provision(name: string, ownerEmail: string, env: StripeEnv) {
    const tenant = await this.tenants.create(name);
    const owner = await this.users.findOrInvite(ownerEmail);
    await this.memberships.insertIfAbsent(tenant.id, owner.id, 'owner');
    const audit = { tenantId: tenant.id, env, actor: { type: 'system' as const } };
    await this.audit.record({ ...audit, action: 'tenant.created', target: { type: 'tenant', id: tenant.id } });
    const apiKey = await this.apiKeys.issue(
      { tenantId: tenant.id, env, role: 'owner' },
      { type: 'user', id: owner.id, email: owner.email, isOperator: owner.isOperator },
      { name: 'owner key (CLI)', role: 'owner' },
    );
    return { tenant_id: tenant.id, owner_user_id: owner.id, api_key: apiKey.key };
  }
}
