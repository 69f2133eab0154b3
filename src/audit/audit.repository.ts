import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable } from '@nestjs/common';
import type { QueryDeepPartialEntity } from 'typeorm';
import { AuditEvent } from './audit-event.entity.js';

export type NewAuditEvent = Omit<AuditEvent, 'id' | 'createdAt'>;

export interface AuditFilter {
  cursor?: string;
  action?: string;
  since?: Date;
  until?: Date;
}

/** Insert-only by design: the table's trigger rejects UPDATE and DELETE as well. */
@Injectable()
export class AuditRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  async insert(event: NewAuditEvent): Promise<void> {
    await this.txHost.tx.getRepository(AuditEvent).insert(event as QueryDeepPartialEntity<AuditEvent>);
  }

  /** Newest first, from before `cursor` (an id), optionally by action (or action prefix) and time. */
  page(tenantId: string, env: string, filter: AuditFilter, limit: number): Promise<AuditEvent[]> {
    const query = this.txHost.tx
      .getRepository(AuditEvent)
      .createQueryBuilder('e')
      .where('e.tenant_id = :tenantId AND e.env = :env', { tenantId, env })
      .orderBy('e.id', 'DESC')
      .limit(limit);
    if (filter.cursor) query.andWhere('e.id < :cursor', { cursor: filter.cursor });
    if (filter.action?.endsWith('.')) query.andWhere('e.action LIKE :prefix', { prefix: `${filter.action}%` });
    else if (filter.action) query.andWhere('e.action = :action', { action: filter.action });
    if (filter.since) query.andWhere('e.created_at >= :since', { since: filter.since });
    if (filter.until) query.andWhere('e.created_at < :until', { until: filter.until });
    return query.getMany();
  }
}
