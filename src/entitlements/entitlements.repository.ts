import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable } from '@nestjs/common';
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

  async save(tenantId: string, env: string, values: Partial<Entitlement>): Promise<Entitlement> {
    await this.rows.upsert({ ...values, tenantId, env }, ['tenantId', 'env']);
    return this.rows.findOneByOrFail({ tenantId, env });
  }
}
