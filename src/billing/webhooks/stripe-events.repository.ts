import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rowsOf } from '../../database/rows-of.js';
import { type StripeEventStatus, StripeEventRecord } from './stripe-event.entity.js';

export type NewStripeEvent = Pick<
  StripeEventRecord,
  'id' | 'type' | 'livemode' | 'payload' | 'stripeCreated' | 'status' | 'lastError'
>;

export interface EventFilter {
  id?: string;
  type?: string;
  status?: StripeEventStatus | StripeEventStatus[];
  since?: Date;
}

export interface ClaimedEvent {
  id: string;
  type: string;
  livemode: boolean;
  payload: string;
  attempts: number;
  received_at: Date;
}

/** How long a claimed event stays hidden from other workers; a crashed worker's events come back after it. */
const LEASE_SECONDS = 120;

@Injectable()
export class StripeEventsRepository {
  constructor(
    private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * One multi-row INSERT for deliveries from many requests, so never inside any one caller's
   * transaction; returns the ids that were new (an id stored before is not).
   */
  async insertMany(events: NewStripeEvent[]): Promise<Set<string>> {
    const values: unknown[] = [];
    const rows = events.map((event, i) => {
      values.push(
        event.id,
        event.type,
        event.livemode,
        event.payload,
        event.stripeCreated,
        event.status,
        event.lastError,
      );
      return `($${i * 7 + 1}, $${i * 7 + 2}, $${i * 7 + 3}, $${i * 7 + 4}, $${i * 7 + 5}, $${i * 7 + 6}, $${i * 7 + 7})`;
    });
    const inserted = rowsOf<{ id: string }>(
      await this.dataSource.query(
        `INSERT INTO stripe_events (id, type, livemode, payload, stripe_created, status, last_error) VALUES ${rows.join(', ')}
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        values,
      ),
    );
    return new Set(inserted.map((row) => row.id));
  }

  /** Claims due events for this worker; SKIP LOCKED lets any number of instances claim side by side. */
  async claim(limit: number): Promise<ClaimedEvent[]> {
    const result: unknown = await this.txHost.tx.query(
      `UPDATE stripe_events SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
       WHERE id IN (
         SELECT id FROM stripe_events
         WHERE status IN ('pending', 'failed') AND next_attempt_at <= now()
         ORDER BY stripe_created, received_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED)
       RETURNING id, type, livemode, payload, attempts, received_at`,
      [limit, LEASE_SECONDS],
    );
    return rowsOf<ClaimedEvent>(result);
  }

  async finish(
    id: string,
    status: Extract<StripeEventStatus, 'processed' | 'ignored'>,
    note: string | null = null,
  ): Promise<void> {
    await this.txHost.tx
      .getRepository(StripeEventRecord)
      .update({ id }, { status, lastError: note, processedAt: new Date() });
  }

  async fail(id: string, error: string, retryAt: Date | null): Promise<void> {
    await this.txHost.tx
      .getRepository(StripeEventRecord)
      .update(
        { id },
        { status: retryAt ? 'failed' : 'dead', lastError: error.slice(0, 2_000), nextAttemptAt: retryAt ?? new Date() },
      );
  }

  find(id: string): Promise<StripeEventRecord | null> {
    return this.txHost.tx.getRepository(StripeEventRecord).findOneBy({ id });
  }

  list(filter: EventFilter, limit = 100): Promise<StripeEventRecord[]> {
    const query = this.txHost.tx
      .getRepository(StripeEventRecord)
      .createQueryBuilder('e')
      .select([
        'e.id',
        'e.type',
        'e.livemode',
        'e.status',
        'e.attempts',
        'e.nextAttemptAt',
        'e.lastError',
        'e.stripeCreated',
        'e.receivedAt',
        'e.processedAt',
      ]);
    this.applyFilter(query, filter);
    return query.orderBy('e.received_at', 'DESC').limit(limit).getMany();
  }

  /** Puts matching events back in the queue; processing them again is harmless, as every handler re-reads Stripe. */
  async requeue(filter: EventFilter): Promise<string[]> {
    const query = this.txHost.tx
      .getRepository(StripeEventRecord)
      .createQueryBuilder('e')
      .update()
      .set({ status: 'pending', attempts: 0, nextAttemptAt: () => 'now()', lastError: null });
    this.applyFilter(query, filter);
    const result = await query.returning('id').execute();
    return (result.raw as Array<{ id: string }>).map((row) => row.id);
  }

  /** Events waiting or failing, for the backlog gauges. */
  async backlog(): Promise<Record<'pending' | 'failed' | 'dead', number>> {
    const rows: Array<{ status: string; n: string }> = await this.txHost.tx.query(
      "SELECT status, count(*) AS n FROM stripe_events WHERE status IN ('pending', 'failed', 'dead') GROUP BY status",
    );
    const count = (status: string) => Number(rows.find((row) => row.status === status)?.n ?? 0);
    return { pending: count('pending'), failed: count('failed'), dead: count('dead') };
  }

  private applyFilter(query: { andWhere: (sql: string, params?: object) => unknown }, filter: EventFilter): void {
    query.andWhere('1 = 1');
    if (filter.id) query.andWhere('id = :id', { id: filter.id });
    if (filter.type) query.andWhere('type = :type', { type: filter.type });
    if (filter.status) query.andWhere('status IN (:...statuses)', { statuses: [].concat(filter.status as never) });
    if (filter.since) query.andWhere('received_at >= :since', { since: filter.since });
  }
}
