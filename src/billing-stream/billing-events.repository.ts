import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Executor } from '../database/executor.js';
import { BILLING_EVENTS_CHANNEL, streamKey } from './billing-events.channel.js';
import type { NewBillingEvent } from '../common/events/billing-event.js';
import type { BillingEventPayload } from './billing-event.payload.js';

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
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs just before its transaction commits. The per-tenant lock, held those few milliseconds to
   * the commit, makes one tenant's events commit in id order, so a reader that has seen id N has
   * seen every earlier id of that tenant. False when `dedupeKey` was used already.
   */
  async insert(executor: Executor, event: NewBillingEvent): Promise<boolean> {
    await executor.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
      `billing_events:${event.tenantId}:${event.env}`,
    ]);
    const rows = (await executor.query(
      `INSERT INTO billing_events (tenant_id, env, type, data, dedupe_key, occurred_at) VALUES ($1, $2, $3, $4, $5, clock_timestamp())
       ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [event.tenantId, event.env, event.type, event.data, event.dedupeKey ?? null],
    )) as unknown[];
    if (rows.length === 0) return false;
    await executor.query('SELECT pg_notify($1, $2)', [BILLING_EVENTS_CHANNEL, streamKey(event.tenantId, event.env)]);
    return true;
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
    const [row]: Array<{ id: string | null }> = await this.dataSource.query(
      'SELECT max(id)::text AS id FROM billing_events WHERE tenant_id = $1 AND env = $2',
      [tenantId, env],
    );
    return row?.id ?? '0';
  }
}
