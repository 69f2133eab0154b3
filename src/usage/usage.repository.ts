import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { Executor } from '../database/executor.js';
import { pgPool } from '../internals/typeorm-pg-pool.js';
import { rowsOf } from '../database/rows-of.js';
import {
  type ConsumeResult,
  consumeResultOf,
  type Consumption,
  type ConsumeUsageRow,
  consumeUsageValues,
} from './consumption.js';
import { hourWindowStart } from './quota-math.js';

/*
 * The consume_usage() function (migration 1763700000600; current body 1763700000800) decides a whole
 * batch in one statement. Named: prepared once per connection. A migration may replace the body in
 * place; one that changes the signature or result types must give the function a new name (or
 * running instances must restart).
 */
export const CONSUME_USAGE = {
  name: 'consume-usage',
  text: `SELECT allowed, reason, used, window_count
         FROM consume_usage($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::int[], $6::bigint[], $7::timestamptz[], $8::int[], $9::boolean[], $10::bigint[], $11::text[])
           WITH ORDINALITY ORDER BY ordinality`,
};

/** An overage outbox row waiting to be reported to Stripe. */
export interface SettledOverage {
  id: string;
  tenant_id: string;
  env: string;
  quantity: string;
}

/** A metering request answered once under its idempotency key. */
export interface StoredAnswer<T> {
  status: number;
  response: T;
}

type CounterKey = Pick<Consumption, 'tenantId' | 'env' | 'meter' | 'periodStart'>;

/**
 * Usage's tables (usage_counters, overage_outbox, usage_requests). Queries for one tenant take its tenant
 * and env first; the outbox batching for reports works across tenants, by row id.
 */
@Injectable()
export class UsageRepository {
  private readonly pool: Pool;

  constructor(private readonly dataSource: DataSource) {
    this.pool = pgPool(dataSource);
  }

  /** The request path: one consume_usage() statement for a whole batch, straight on the pool. */
  async consumeBatch(requests: Consumption[]): Promise<ConsumeResult[]> {
    const { rows } = await this.pool.query<ConsumeUsageRow>({ ...CONSUME_USAGE, values: consumeUsageValues(requests) });
    return rows.map((row, i) => consumeResultOf(row, requests[i]));
  }

  /** The same statement for a batch of one, inside a caller's transaction. */
  async consumeIn(executor: Executor, input: Consumption): Promise<ConsumeResult> {
    const [row] = rowsOf<ConsumeUsageRow>(await executor.query(CONSUME_USAGE.text, consumeUsageValues([input])));
    return consumeResultOf(row, input);
  }

  /** Gives back a request's units and its hourly slot; returns the counter's new total, if it has a row. */
  async giveBack(executor: Executor, input: Consumption): Promise<number | undefined> {
    const windowStart = new Date(hourWindowStart(input.now));
    const [row] = rowsOf<{ used: string }>(
      await executor.query(
        `UPDATE usage_counters SET used = GREATEST(used - $5, 0),
           window_count = CASE WHEN window_start = $6 THEN GREATEST(window_count - 1, 0) ELSE window_count END
         WHERE tenant_id = $1 AND env = $2 AND meter = $3 AND period_start = $4 RETURNING used`,
        [input.tenantId, input.env, input.meter, input.periodStart, input.cost, windowStart],
      ),
    );
    return row ? Number(row.used) : undefined;
  }

  async deleteUnreportedOverage(
    executor: Executor,
    tenantId: string,
    env: string,
    requestKey: string | null,
  ): Promise<void> {
    await executor.query(
      'DELETE FROM overage_outbox WHERE tenant_id = $1 AND env = $2 AND request_key = $3 AND report_id IS NULL',
      [tenantId, env, requestKey],
    );
  }

  /** The period's overage rows, newest first, locked for a trim. */
  async periodOverageForUpdate(executor: Executor, input: CounterKey) {
    return rowsOf<{ id: string; quantity: string; reported: boolean }>(
      await executor.query(
        `SELECT id, quantity, report_id IS NOT NULL AS reported FROM overage_outbox
         WHERE tenant_id = $1 AND env = $2 AND meter = $3 AND created_at >= $4 ORDER BY id DESC FOR UPDATE`,
        [input.tenantId, input.env, input.meter, input.periodStart],
      ),
    );
  }

  async deleteOverageRow(executor: Executor, id: string): Promise<void> {
    await executor.query('DELETE FROM overage_outbox WHERE id = $1', [id]);
  }

  async reduceOverageRow(executor: Executor, id: string, cut: number): Promise<void> {
    await executor.query('UPDATE overage_outbox SET quantity = quantity - $2 WHERE id = $1', [id, cut]);
  }

  async counter(input: CounterKey) {
    const [row] = rowsOf<{ used: string; window_start: Date; window_count: number }>(
      await this.dataSource.query(
        'SELECT used, window_start, window_count FROM usage_counters WHERE tenant_id = $1 AND env = $2 AND meter = $3 AND period_start = $4',
        [input.tenantId, input.env, input.meter, input.periodStart],
      ),
    );
    return row;
  }

  history(
    tenantId: string,
    env: string,
    meter: string,
    limit: number,
  ): Promise<Array<{ period_start: Date; used: string }>> {
    return this.dataSource.query(
      'SELECT period_start, used FROM usage_counters WHERE tenant_id = $1 AND env = $2 AND meter = $3 ORDER BY period_start DESC LIMIT $4',
      [tenantId, env, meter, limit],
    );
  }

  /**
   * Outbox rows old enough not to be refunded any more (or all of one tenant's), locked for the
   * caller's transaction; rows another instance is batching are skipped.
   */
  async settledOverageForUpdate(
    executor: Executor,
    settleSeconds: number,
    only?: { tenantId: string; env: string },
  ): Promise<SettledOverage[]> {
    return rowsOf<SettledOverage>(
      await executor.query(
        `SELECT id, tenant_id, env, quantity FROM overage_outbox
         WHERE report_id IS NULL AND (created_at < now() - make_interval(secs => $1) OR (tenant_id = $2 AND env = $3))
         ORDER BY id LIMIT 5000 FOR UPDATE SKIP LOCKED`,
        [settleSeconds, only?.tenantId ?? null, only?.env ?? null],
      ),
    );
  }

  async assignReport(executor: Executor, reportId: string, rowIds: string[]): Promise<void> {
    await executor.query('UPDATE overage_outbox SET report_id = $1 WHERE id = ANY($2::bigint[])', [reportId, rowIds]);
  }

  /** Seconds since the oldest outbox row not yet in a report was written, by the database's clock; null when none. */
  async oldestUnreportedOverageAge(): Promise<number | null> {
    const [row] = rowsOf<{ seconds: number | null }>(
      await this.dataSource.query(
        'SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS seconds FROM overage_outbox WHERE report_id IS NULL',
      ),
    );
    return row?.seconds ?? null;
  }

  /** Serialises the requests that share one idempotency key, for the caller's transaction. */
  async lockRequestKey(executor: Executor, tenantId: string, env: string, key: string): Promise<void> {
    await executor.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`usage:${tenantId}:${env}:${key}`]);
  }

  async storedAnswer<T>(
    executor: Executor,
    tenantId: string,
    env: string,
    key: string,
  ): Promise<StoredAnswer<T> | undefined> {
    const [stored] = rowsOf<StoredAnswer<T>>(
      await executor.query(
        'SELECT status, response FROM usage_requests WHERE tenant_id = $1 AND env = $2 AND idempotency_key = $3',
        [tenantId, env, key],
      ),
    );
    return stored;
  }

  async storeAnswer(
    executor: Executor,
    tenantId: string,
    env: string,
    key: string,
    answer: StoredAnswer<unknown>,
  ): Promise<void> {
    await executor.query(
      'INSERT INTO usage_requests (tenant_id, env, idempotency_key, status, response) VALUES ($1, $2, $3, $4, $5)',
      [tenantId, env, key, answer.status, answer.response],
    );
  }
}
