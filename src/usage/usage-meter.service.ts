import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Executor } from '../database/executor.js';
import { rowsOf } from '../database/rows-of.js';
import { CONSUME_USAGE, type ConsumeResult, consumeResultOf, type Consumption, type ConsumeUsageRow, consumeUsageValues, type MeterReading } from './consume-usage.statement.js';
import { ConsumptionBatcher } from './consumption-batcher.js';
import { hourWindowStart } from './quota-math.js';

export type { ConsumeResult, Consumption, MeterReading } from './consume-usage.statement.js';

/**
 * Consumes from the monthly quota and the hourly window atomically inside Postgres, so any number
 * of instances stay exact. Usage is keyed by period start: a new period starts at zero by itself.
 */
@Injectable()
export class UsageMeter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly batcher: ConsumptionBatcher,
  ) {}

  /** The request path: batched with whatever else arrives at the same moment (see ConsumptionBatcher). */
  consume(input: Consumption, executor?: Executor): Promise<ConsumeResult> {
    return executor ? this.consumeIn(input, executor) : this.batcher.consume(input);
  }

  /** Inside a caller's transaction: the same statement, for a batch of one. */
  private async consumeIn(input: Consumption, executor: Executor): Promise<ConsumeResult> {
    const [row] = rowsOf<ConsumeUsageRow>(await executor.query(CONSUME_USAGE.text, consumeUsageValues([input])));
    return consumeResultOf(row, input);
  }

  /**
   * Gives back what a failed request consumed. With PAYG, the period's unreported overage is then
   * trimmed so that all of it adds up to max(0, used − quota) again: requests after this one had
   * their overage counted on a base that included it.
   */
  async refund(input: Consumption): Promise<void> {
    const windowStart = new Date(hourWindowStart(input.now));
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
  async read(input: Pick<Consumption, 'tenantId' | 'env' | 'meter' | 'periodStart'>): Promise<MeterReading> {
    const window = new Date(hourWindowStart(Date.now()));
    const [row] = rowsOf<{ used: string; window_start: Date; window_count: number }>(await this.dataSource.query(
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
