import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable } from '@nestjs/common';
import { LessThanOrEqual } from 'typeorm';
import { ENTITLEMENTS_CHANNEL } from './entitlements.channel.js';
import { Entitlement } from './entitlement.entity.js';

@Injectable()
export class EntitlementsRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get rows() {
    return this.txHost.tx.getRepository(Entitlement);
  }

  find(tenantId: string, env: string): Promise<Entitlement | null> {
    return this.rows.findOneBy({ tenantId, env });
  }

  /** Locks the row (if any) so concurrent recomputations of one tenant apply one after another. */
  findForUpdate(tenantId: string, env: string): Promise<Entitlement | null> {
    return this.rows.findOne({ where: { tenantId, env }, lock: { mode: 'pessimistic_write' } });
  }

  /** Delivered at commit to every instance's cache (this one's included). */
  async notifyChanged(tenantId: string, env: string): Promise<void> {
    await this.txHost.tx.query('SELECT pg_notify($1, $2)', [ENTITLEMENTS_CHANNEL, `${tenantId}:${env}`]);
  }

  expiredComps(now: Date): Promise<Array<{ tenantId: string; env: string }>> {
    return this.rows.find({
      select: { tenantId: true, env: true },
      where: { comped: true, compExpiresAt: LessThanOrEqual(now) },
    });
  }

  async save(tenantId: string, env: string, values: Partial<Entitlement>): Promise<Entitlement> {
    await this.rows.upsert({ ...values, tenantId, env }, ['tenantId', 'env']);
    return this.rows.findOneByOrFail({ tenantId, env });
  }
}
