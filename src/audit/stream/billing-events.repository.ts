import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BILLING_EVENTS_CHANNEL } from './billing-events.channel.js';
import type { BillingEventPayload, NewBillingEvent } from './billing-event.payload.js';

interface Row {
  id: string;
  type: BillingEventPayload['type'];
  tenant_id: string;
  env: string;
  occurred_at: Date;
  data: Record<string, unknown>;
}

const toPayload = (row: Row): BillingEventPayload => ({ ...row, occurred_at: row.occurred_at.toISOString() });

@Injectable()
export class BillingEventsRepository {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * Must run in a transaction. The per-tenant lock, held to commit, makes one tenant's events commit
   * in id order, so a reader that has seen id N has seen every earlier id of that tenant.
   * Returns the new id, or null when `dedupeKey` was used already.
   */
  async insert(event: NewBillingEvent): Promise<string | null> {
    const tx = this.txHost.tx;
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`billing_events:${event.tenantId}:${event.env}`]);
    const rows: Array<{ id: string }> = await tx.query(
      'INSERT INTO billing_events (tenant_id, env, type, data, dedupe_key) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id',
      [event.tenantId, event.env, event.type, event.data, event.dedupeKey ?? null],
    );
    if (rows.length === 0) return null;
    await tx.query('SELECT pg_notify($1, $2)', [BILLING_EVENTS_CHANNEL, `${event.tenantId}:${event.env}`]);
    return String(rows[0].id);
  }

  /** The tenant's events after `afterId`, oldest first. */
  async after(tenantId: string, env: string, afterId: string, limit: number): Promise<BillingEventPayload[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT id::text, type, tenant_id, env, occurred_at, data FROM billing_events
       WHERE tenant_id = $1 AND env = $2 AND id > $3::bigint ORDER BY id LIMIT $4`,
      [tenantId, env, afterId, limit],
    );
    return rows.map(toPayload);
  }

  /** The id a new listener starts after: the tenant's newest event, or 0. */
  async latestId(tenantId: string, env: string): Promise<string> {
    const [row]: Array<{ id: string | null }> = await this.dataSource.query('SELECT max(id)::text AS id FROM billing_events WHERE tenant_id = $1 AND env = $2', [tenantId, env]);
    return row?.id ?? '0';
  }
}
