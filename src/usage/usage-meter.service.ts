import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { pgPool } from '../database/pg-pool.js';
import { ConsumptionBatcher } from './consumption-batcher.js';
import { hourWindowStart, type MeterLimits } from './quota-math.js';

export interface Consumption {
  tenantId: string;
  env: string;
  meter: string;
  periodStart: Date;
  cost: number;
  limits: MeterLimits;
  /** Unique per request; names the overage row, so a refund can take it back. */
  requestKey: string;
  now?: number;
}

export interface MeterReading {
  used: number;
  windowStart: Date;
  windowCount: number;
}

/** Runs a statement on the pool, or inside a caller's transaction (an EntityManager). */
export type Executor = { query: (sql: string, params: unknown[]) => Promise<unknown> };

const rowsOf = <T>(result: unknown): T[] => {
  if (Array.isArray(result)) return (Array.isArray(result[0]) ? result[0] : result) as T[];
  return (result as { rows: T[] }).rows;
};

export type ConsumeResult = ({ allowed: true } | { allowed: false; reason: 'rate' | 'quota' }) & MeterReading;

const UPSERT = `
  INSERT INTO usage_counters AS c (tenant_id, env, meter, period_start, used, window_start, window_count)
  VALUES ($1, $2, $3, $4, $5, $6, 1)
  ON CONFLICT (tenant_id, env, meter, period_start) DO UPDATE SET
    used = c.used + EXCLUDED.used,
    window_start = EXCLUDED.window_start,
    window_count = CASE WHEN c.window_start = EXCLUDED.window_start THEN c.window_count + 1 ELSE 1 END
  WHERE ($7::int IS NULL OR c.window_start <> EXCLUDED.window_start OR c.window_count < $7)
    AND ($8::boolean OR c.used + EXCLUDED.used <= $9)
  RETURNING used, window_count`;

/** The hourly window and the period's usage, decided in one statement on one row; for PAYG, the outbox row too. */
const CONSUME = UPSERT;
const CONSUME_WITH_OVERAGE = `
  WITH consumed AS (${UPSERT}),
  overage AS (
    INSERT INTO overage_outbox (tenant_id, env, meter, request_key, quantity)
    SELECT $1, $2, $3, $10, LEAST($5::bigint, used - $9) FROM consumed WHERE used > $9
    RETURNING id)
  SELECT used, window_count FROM consumed`;

/**
 * Consumes from the monthly quota and the hourly window atomically inside Postgres, so any number
 * of instances stay exact. Usage is keyed by period start: a new period starts at zero by itself.
 */
@Injectable()
export class UsageMeter {
  private readonly pool: Pool;

  constructor(
    private readonly dataSource: DataSource,
    private readonly batcher: ConsumptionBatcher,
  ) {
    this.pool = pgPool(dataSource);
  }

  /** The request path: batched with whatever else arrives at the same moment (see ConsumptionBatcher). */
  async consume(input: Consumption, executor?: Executor): Promise<ConsumeResult> {
    return executor ? this.consumeIn(input, executor) : this.consumeBatched(input);
  }

  private async consumeBatched(input: Consumption): Promise<ConsumeResult> {
    const result = await this.batcher.consume({ ...input, now: input.now ?? Date.now() });
    const reading = { used: result.used, windowStart: result.windowStart, windowCount: result.windowCount };
    return result.allowed ? { allowed: true, ...reading } : { allowed: false, reason: result.reason!, ...reading };
  }

  /** Inside a caller's transaction: one conditional statement. */
  private async consumeIn(input: Consumption, executor: Executor): Promise<ConsumeResult> {
    const { limits } = input;
    const window = new Date(hourWindowStart(input.now ?? Date.now()));
    // A first request of the period inserts without the conditions: refuse up front what it could not pass.
    if (!limits.payg && input.cost > limits.quota) return { allowed: false, reason: 'quota', ...(await this.read(input, window, executor)) };
    const params = [input.tenantId, input.env, input.meter, input.periodStart, input.cost, window, limits.ratePerHour, limits.payg, limits.quota];
    const rows = rowsOf<{ used: string; window_count: number }>(
      limits.payg ? await executor.query(CONSUME_WITH_OVERAGE, [...params, input.requestKey]) : await executor.query(CONSUME, params),
    );
    if (rows.length > 0) return { allowed: true, used: Number(rows[0].used), windowStart: window, windowCount: rows[0].window_count };
    const reading = await this.read(input, window, executor);
    const rateHit = limits.ratePerHour !== null && reading.windowStart.getTime() === window.getTime() && reading.windowCount >= limits.ratePerHour;
    return { allowed: false, reason: rateHit ? 'rate' : 'quota', ...reading };
  }

  /**
   * Gives back what a failed request consumed. With PAYG, the period's unreported overage is then
   * trimmed so that all of it adds up to max(0, used − quota) again: requests after this one had
   * their overage counted on a base that included it.
   */
  async refund(input: Consumption, windowStart: Date): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [row] = rowsOf<{ used: string }>(
        await manager.query(
          `UPDATE usage_counters SET used = GREATEST(used - $5, 0),
             window_count = CASE WHEN window_start = $6 THEN GREATEST(window_count - 1, 0) ELSE window_count END
           WHERE tenant_id = $1 AND env = $2 AND meter = $3 AND period_start = $4 RETURNING used`,
          [input.tenantId, input.env, input.meter, input.periodStart, input.cost, windowStart],
        ),
      );
      if (!input.limits.payg || !row) return;
      await manager.query('DELETE FROM overage_outbox WHERE tenant_id = $1 AND env = $2 AND request_key = $3 AND report_id IS NULL', [input.tenantId, input.env, input.requestKey]);
      await this.trimOverage(manager, input, Math.max(0, Number(row.used) - input.limits.quota));
    });
  }

  /** Reduces the newest unreported overage rows of the period until the period's overage totals `target`. */
  private async trimOverage(manager: Executor, input: Consumption, target: number): Promise<void> {
    const rows = rowsOf<{ id: string; quantity: string; reported: boolean }>(
      await manager.query(
        `SELECT id, quantity, report_id IS NOT NULL AS reported FROM overage_outbox
         WHERE tenant_id = $1 AND env = $2 AND meter = $3 AND created_at >= $4 ORDER BY id DESC FOR UPDATE`,
        [input.tenantId, input.env, input.meter, input.periodStart],
      ),
    );
    let excess = rows.reduce((sum, r) => sum + Number(r.quantity), 0) - target;
    for (const r of rows) {
      if (excess <= 0) return;
      if (r.reported) continue;
      const cut = Math.min(excess, Number(r.quantity));
      excess -= cut;
      if (cut === Number(r.quantity)) await manager.query('DELETE FROM overage_outbox WHERE id = $1', [r.id]);
      else await manager.query('UPDATE overage_outbox SET quantity = quantity - $2 WHERE id = $1', [r.id, cut]);
    }
  }

  /** The counter as it stands, zeroes for a period not yet used; the window is the current hour's. */
  async read(input: Pick<Consumption, 'tenantId' | 'env' | 'meter' | 'periodStart'>, window = new Date(hourWindowStart(Date.now())), executor: Executor = this.dataSource): Promise<MeterReading> {
    const [row] = rowsOf<{ used: string; window_start: Date; window_count: number }>(await executor.query(
      'SELECT used, window_start, window_count FROM usage_counters WHERE tenant_id = $1 AND env = $2 AND meter = $3 AND period_start = $4',
      [input.tenantId, input.env, input.meter, input.periodStart],
    ));
    const sameWindow = row && row.window_start.getTime() === window.getTime();
    return { used: Number(row?.used ?? 0), windowStart: window, windowCount: sameWindow ? row.window_count : 0 };
  }

  history(tenantId: string, env: string, meter: string, limit = 12): Promise<Array<{ period_start: Date; used: string }>> {
    return this.dataSource.query(
      'SELECT period_start, used FROM usage_counters WHERE tenant_id = $1 AND env = $2 AND meter = $3 ORDER BY period_start DESC LIMIT $4',
      [tenantId, env, meter, limit],
    );
  }
}
