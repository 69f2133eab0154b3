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

  /** Ends the membership and records when, in one statement: a removed member is never without a record. */
  async delete(tenantId: string, userId: string): Promise<void> {
    await this.txHost.tx.query(
      `WITH gone AS (DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2 RETURNING tenant_id, user_id)
       INSERT INTO former_memberships (tenant_id, user_id, left_at) SELECT tenant_id, user_id, now() FROM gone
       ON CONFLICT (tenant_id, user_id) DO UPDATE SET left_at = excluded.left_at`,
      [tenantId, userId],
    );
  }

  /**
   * Whether the user belongs to the tenant now, and when they last stopped belonging to it. One
   * statement, one snapshot: as a removal writes both rows at once, a member leaving meanwhile is
   * seen either still in or already gone with the date, never neither.
   */
  async standing(tenantId: string, userId: string): Promise<{ member: boolean; leftAt: Date | null }> {
    const [row]: Array<{ member: boolean; left_at: Date | null }> = await this.txHost.tx.query(
      `SELECT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = $1 AND user_id = $2) AS member,
              (SELECT left_at FROM former_memberships WHERE tenant_id = $1 AND user_id = $2) AS left_at`,
      [tenantId, userId],
    );
    return { member: row.member, leftAt: row.left_at };
  }
}
