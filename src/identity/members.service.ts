import { Transactional } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../common/events/audit-trail.js';
import { ApiKeysService } from './api-keys.service.js';
import type { TenantScope } from './auth/auth-context.js';
import type { AddMemberDto } from './dto/member.dto.js';
import type { Membership } from './entities/membership.entity.js';
import type { Role } from './entities/role.js';
import { IdentityError } from './identity.errors.js';
import { memberView } from './identity.views.js';
import { MembershipsRepository } from './memberships.repository.js';
import { UsersService } from './users.service.js';

/** Owners manage everyone; admins manage admins and members but never touch the owner role. */
@Injectable()
export class MembersService {
  constructor(
    private readonly memberships: MembershipsRepository,
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
    private readonly audit: AuditTrail,
  ) {}

  async list(scope: TenantScope) {
    return (await this.memberships.list(scope.tenantId)).map(memberView);
  }

  @Transactional()
  async add(scope: TenantScope, dto: AddMemberDto) {
    this.assertMayGrant(scope, dto.role);
    const user = await this.users.findOrInvite(dto.email);
    if (!(await this.memberships.insertIfAbsent(scope.tenantId, user.id, dto.role)))
      throw new IdentityError('already_member');
    await this.audit.record({
      action: 'member.added',
      target: { type: 'user', id: user.id },
      metadata: { role: dto.role },
    });
    return { user_id: user.id, email: user.email, role: dto.role };
  }

  @Transactional()
  async changeRole(scope: TenantScope, userId: string, role: Role) {
    const { member, owners } = await this.lockMember(scope, userId);
    this.assertMayGrant(scope, role);
    if (member.role === role) return { user_id: userId, role };
    if (member.role === 'owner' && owners <= 1) throw new IdentityError('last_owner');
    await this.memberships.updateRole(scope.tenantId, userId, role);
    await this.apiKeys.revokeIssuedAbove(scope.tenantId, userId, role);
    await this.audit.record({
      action: 'member.role_changed',
      target: { type: 'user', id: userId },
      metadata: { from: member.role, to: role },
    });
    return { user_id: userId, role };
  }

  @Transactional()
  async remove(scope: TenantScope, userId: string): Promise<void> {
    const { member, owners } = await this.lockMember(scope, userId);
    if (member.role === 'owner' && owners <= 1) throw new IdentityError('last_owner');
    await this.memberships.delete(scope.tenantId, userId);
    await this.apiKeys.revokeIssuedAbove(scope.tenantId, userId, null);
    await this.audit.record({
      action: 'member.removed',
      target: { type: 'user', id: userId },
      metadata: { role: member.role },
    });
  }

  private async lockMember(scope: TenantScope, userId: string): Promise<{ member: Membership; owners: number }> {
    const members = await this.memberships.lockAll(scope.tenantId);
    const member = members.find((candidate) => candidate.userId === userId);
    if (!member) throw new IdentityError('member_not_found');
    if (member.role === 'owner' && scope.role !== 'owner') throw new IdentityError('cannot_manage_owner');
    return { member, owners: members.filter((candidate) => candidate.role === 'owner').length };
  }

  private assertMayGrant(scope: TenantScope, role: Role): void {
    if (role === 'owner' && scope.role !== 'owner') throw new IdentityError('cannot_manage_owner');
  }
}
