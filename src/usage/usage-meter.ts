import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Executor } from '../database/executor.js';
import type { ConsumeResult, Consumption, MeterReading } from './consumption.js';
import { ConsumptionBatcher } from './consumption-batcher.js';
import { hourWindowStart } from './quota-math.js';
import { type SettledOverage, type StoredAnswer, UsageRepository } from './usage.repository.js';

export type { ConsumeResult, Consumption, MeterReading } from './consumption.js';
export type { SettledOverage, StoredAnswer } from './usage.repository.js';

/**
 * Consumes from the monthly quota and the hourly window atomically inside Postgres, so any number
 * of instances stay exact. Usage is keyed by period start: a new period starts at zero by itself.
 * The single writer of usage_counters, overage_outbox and usage_requests.
 */
@Injectable()
export class UsageMeter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly usage: UsageRepository,
    private readonly batcher: ConsumptionBatcher,
  ) {}

  /** The request path: batched with whatever else arrives at the same moment (see ConsumptionBatcher). */
  consume(input: Consumption, executor?: Executor): Promise<ConsumeResult> {
    return executor ? this.usage.consumeIn(executor, input) : this.batcher.consume(input);
  }

  /**
   * Consumes at most once per idempotency key: the first request's answer is stored in the same
   * transaction as its consumption, and any later request with the key gets that answer back.
   */
  async once<T>(
    tenantId: string,
    env: string,
    key: string,
    decide: (executor: Executor) => Promise<StoredAnswer<T>>,
  ): Promise<{ answer: StoredAnswer<T>; replayed: boolean }> {
    return this.dataSource.transaction(async (manager) => {
      await this.usage.lockRequestKey(manager, tenantId, env, key);
      const stored = await this.usage.storedAnswer<T>(manager, tenantId, env, key);
      if (stored) return { answer: stored, replayed: true };
      const fresh = await decide(manager);
      await this.usage.storeAnswer(manager, tenantId, env, key, fresh);
      return { answer: fresh, replayed: false };
    });
  }

  /**
   * Gives back what a failed request consumed. With PAYG, the period's unreported overage is then
   * trimmed so that all of it adds up to max(0, used − quota) again: requests after this one had
   * their overage counted on a base that included it.
   */
  async refund(input: Consumption): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const used = await this.usage.giveBack(manager, input);
      if (!input.limits.payg || used === undefined) return;
      await this.usage.deleteUnreportedOverage(manager, input.tenantId, input.env, input.requestKey);
      await this.trimOverage(manager, input, Math.max(0, used - input.limits.quota));
    });
  }

  /** Reduces the newest unreported overage rows of the period until the period's overage totals `target`. */
  private async trimOverage(manager: Executor, input: Consumption, target: number): Promise<void> {
    const rows = await this.usage.periodOverageForUpdate(manager, input);
    let excess = rows.reduce((sum, r) => sum + Number(r.quantity), 0) - target;
    for (const r of rows) {
      if (excess <= 0) return;
      if (r.reported) continue;
      const cut = Math.min(excess, Number(r.quantity));
      excess -= cut;
      if (cut === Number(r.quantity)) await this.usage.deleteOverageRow(manager, r.id);
      else await this.usage.reduceOverageRow(manager, r.id, cut);
    }
  }

  /** The counter as it stands, zeroes for a period not yet used; the window is the current hour's. */
  async read(input: Pick<Consumption, 'tenantId' | 'env' | 'meter' | 'periodStart'>): Promise<MeterReading> {
    const window = new Date(hourWindowStart(Date.now()));
    const row = await this.usage.counter(input);
    const sameWindow = row && row.window_start.getTime() === window.getTime();
    return { used: Number(row?.used ?? 0), windowStart: window, windowCount: sameWindow ? row.window_count : 0 };
  }

  history(
    tenantId: string,
    env: string,
    meter: string,
    limit = 12,
  ): Promise<Array<{ period_start: Date; used: string }>> {
    return this.usage.history(tenantId, env, meter, limit);
  }

  /** Overage rows ready for reporting, locked in the caller's transaction (billing's reporter batches them). */
  settledOverage(
    executor: Executor,
    settleSeconds: number,
    only?: { tenantId: string; env: string },
  ): Promise<SettledOverage[]> {
    return this.usage.settledOverageForUpdate(executor, settleSeconds, only);
  }

  /** Marks outbox rows as part of a report, so they are never batched again. */
  assignOverageReport(executor: Executor, reportId: string, rowIds: string[]): Promise<void> {
    return this.usage.assignReport(executor, reportId, rowIds);
  }

  oldestUnreportedOverageAge(): Promise<number | null> {
    return this.usage.oldestUnreportedOverageAge();
  }
}
