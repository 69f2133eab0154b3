import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable } from '@nestjs/common';
import { Membership } from './entities/membership.entity.js';
import type { Role } from './entities/role.js';

@Injectable()
export class MembershipsRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get memberships() {
    return this.txHost.tx.getRepository(Membership);
  }

  async roleOf(tenantId: string, userId: string): Promise<Role | null> {
    const membership = await this.memberships.findOneBy({ tenantId, userId });
    return membership?.role ?? null;
  }

  list(tenantId: string): Promise<Membership[]> {
    return this.memberships.find({ where: { tenantId }, relations: { user: true }, order: { createdAt: 'ASC' } });
  }

  /**
   * Locks every member row of the tenant, always in user-id order, so concurrent changes queue
   * instead of deadlocking, and "is this the last owner?" stays true until commit.
   */
  lockAll(tenantId: string): Promise<Membership[]> {
    return this.memberships.find({
      where: { tenantId },
      order: { userId: 'ASC' },
      lock: { mode: 'pessimistic_write' },
    });
  }

  async insertIfAbsent(tenantId: string, userId: string, role: Role): Promise<boolean> {
    const result = await this.memberships
      .createQueryBuilder()
      .insert()
      .values({ tenantId, userId, role })
      .orIgnore()
      .returning('user_id')
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  async updateRole(tenantId: string, userId: string, role: Role): Promise<void> {
    await this.memberships.update({ tenantId, userId }, { role });
  }

  async delete(tenantId: string, userId: string): Promise<void> {
    await this.memberships.delete({ tenantId, userId });
  }
}
