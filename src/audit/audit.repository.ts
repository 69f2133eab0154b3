import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable } from '@nestjs/common';
import type { QueryDeepPartialEntity } from 'typeorm';
import { AuditEvent } from './audit-event.entity.js';

export type NewAuditEvent = Omit<AuditEvent, 'id' | 'createdAt'>;

/** Insert-only by design: the table's trigger rejects UPDATE and DELETE as well. */
@Injectable()
export class AuditRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  async insert(event: NewAuditEvent): Promise<void> {
    await this.txHost.tx.getRepository(AuditEvent).insert(event as QueryDeepPartialEntity<AuditEvent>);
  }

  listForTenant(tenantId: string, env: string, limit = 50): Promise<AuditEvent[]> {
    return this.txHost.tx.getRepository(AuditEvent).find({ where: { tenantId, env }, order: { id: 'DESC' }, take: limit });
  }
}
