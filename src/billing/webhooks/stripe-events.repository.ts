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

  /**
   * Claims due events under a lease (`token`, for `leaseMs`); SKIP LOCKED lets any number of
   * instances claim side by side. A claim is not an attempt: an event whose worker died comes back
   * when the lease runs out, its attempts as they were.
   */
  async claim(limit: number, token: string, leaseMs: number): Promise<ClaimedEvent[]> {
    const result: unknown = await this.txHost.tx.query(
      `UPDATE stripe_events SET lease_token = $2, next_attempt_at = now() + make_interval(secs => $3)
       WHERE id IN (
         SELECT id FROM stripe_events
         WHERE status IN ('pending', 'failed') AND next_attempt_at <= now()
         ORDER BY stripe_created, received_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED)
       RETURNING id, type, livemode, payload, attempts, received_at`,
      [limit, token, leaseMs / 1000],
    );
    return rowsOf<ClaimedEvent>(result);
  }

  /** The heartbeat: extends the leases of the events still held under `token`. */
  async renew(token: string, leaseMs: number): Promise<void> {
    await this.txHost.tx.query(
      `UPDATE stripe_events SET next_attempt_at = now() + make_interval(secs => $2)
       WHERE lease_token = $1 AND status IN ('pending', 'failed')`,
      [token, leaseMs / 1000],
    );
  }

  /** Gives back events claimed under `token` and not yet worked on, due at once. */
  async release(token: string): Promise<void> {
    await this.txHost.tx.query(
      `UPDATE stripe_events SET lease_token = NULL, next_attempt_at = now()
       WHERE lease_token = $1 AND status IN ('pending', 'failed')`,
      [token],
    );
  }

  /** Records an attempt that completed; false if the lease was lost (another worker, or a replay, has it). */
  async finish(
    id: string,
    token: string,
    status: Extract<StripeEventStatus, 'processed' | 'ignored'>,
  ): Promise<boolean> {
    const result: unknown = await this.txHost.tx.query(
      `UPDATE stripe_events SET status = $3, attempts = attempts + 1, lease_token = NULL, last_error = NULL,
         processed_at = now()
       WHERE id = $1 AND lease_token = $2 RETURNING id`,
      [id, token, status],
    );
    return rowsOf(result).length > 0;
  }

  /**
   * Records an attempt that failed for a reason of the event's own: retried after `retryMs`, or
   * dead once `windowMs` has passed since it arrived. Null if the lease was lost.
   */
  async fail(
    id: string,
    token: string,
    error: string,
    retryMs: number,
    windowMs: number,
  ): Promise<{ status: 'failed' | 'dead'; attempts: number } | null> {
    const result: unknown = await this.txHost.tx.query(
      `UPDATE stripe_events SET attempts = attempts + 1, lease_token = NULL, last_error = $3,
         status = CASE WHEN received_at + make_interval(secs => $5) <= now() THEN 'dead' ELSE 'failed' END,
         next_attempt_at = now() + make_interval(secs => $4)
       WHERE id = $1 AND lease_token = $2 RETURNING status, attempts`,
      [id, token, error.slice(0, 2_000), retryMs / 1000, windowMs / 1000],
    );
    return rowsOf<{ status: 'failed' | 'dead'; attempts: number }>(result)[0] ?? null;
  }

  /** An attempt Stripe's failure cut short: tried again after `retryMs`; not counted, never dead. */
  async defer(id: string, token: string, error: string, retryMs: number): Promise<void> {
    await this.txHost.tx.query(
      `UPDATE stripe_events SET lease_token = NULL, last_error = $3, next_attempt_at = now() + make_interval(secs => $4)
       WHERE id = $1 AND lease_token = $2`,
      [id, token, error.slice(0, 2_000), retryMs / 1000],
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

  /**
   * Puts matching events back in the queue; processing them again is harmless, as every handler
   * re-reads Stripe. It takes any lease away: a worker still busy with one records nothing.
   */
  async requeue(filter: EventFilter): Promise<string[]> {
    const query = this.txHost.tx
      .getRepository(StripeEventRecord)
      .createQueryBuilder('e')
      .update()
      .set({ status: 'pending', attempts: 0, nextAttemptAt: () => 'now()', lastError: null, leaseToken: null });
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
