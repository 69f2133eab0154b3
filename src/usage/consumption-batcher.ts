import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { MicroBatcher } from '../common/micro-batcher.js';
import { pgPool } from '../database/pg-pool.js';
import { type CounterState, decide, hourWindowStart } from './quota-math.js';

export interface BatchedConsumption {
  tenantId: string;
  env: string;
  meter: string;
  periodStart: Date;
  cost: number;
  limits: { quota: number; ratePerHour: number | null; payg: boolean };
  requestKey: string;
  now: number;
}

export type BatchedResult = { allowed: boolean; reason?: 'rate' | 'quota'; used: number; windowStart: Date; windowCount: number };

const MAX_BATCH = 128;
const MAX_IN_FLIGHT = 10;
const rowKey = (c: BatchedConsumption) => `${c.tenantId}|${c.env}|${c.meter}|${c.periodStart.toISOString()}`;

/** The distinct counter rows of a batch, in one fixed order, as SQL tuples and their parameters. */
function keyTuples(inputs: BatchedConsumption[]) {
  const keys = [...new Map(inputs.map((c) => [rowKey(c), c])).entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, c]) => c);
  const tuples = keys.map((_, i) => `($${i * 4 + 1}::uuid, $${i * 4 + 2}::text, $${i * 4 + 3}::text, $${i * 4 + 4}::timestamptz)`).join(', ');
  return { keys, tuples, params: keys.flatMap((c) => [c.tenantId, c.env, c.meter, c.periodStart]) };
}

/**
 * Requests that arrive together are decided in one transaction: their counter rows are locked in
 * a fixed order (so instances never deadlock), each request is decided in arrival order by the same
 * rules as `decide()`, and the batch writes its counters and PAYG outbox rows once. Exact across
 * any number of instances (the row locks), one commit for many requests.
 */
@Injectable()
export class ConsumptionBatcher {
  private readonly pool: Pool;
  private readonly batcher = new MicroBatcher<BatchedConsumption, BatchedResult>((inputs) => this.decideInTransaction(inputs), {
    maxBatch: MAX_BATCH,
    maxInFlight: MAX_IN_FLIGHT,
    // A row already being decided makes its next requests wait and go together: large batches for a hot tenant.
    exclusiveKey: rowKey,
  });

  constructor(dataSource: DataSource) {
    this.pool = pgPool(dataSource);
  }

  consume(input: BatchedConsumption): Promise<BatchedResult> {
    return this.batcher.submit(input);
  }

  private async decideInTransaction(inputs: BatchedConsumption[]): Promise<BatchedResult[]> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      let results = await this.decideBatch(client, inputs);
      if (!results) {
        // A period's first requests: create its rows in their own committed statement, so the locking
        // transaction only ever takes row locks in one sorted order (no deadlocks between batches).
        await client.query('ROLLBACK');
        await this.ensureRows(client, inputs);
        await client.query('BEGIN');
        results = (await this.decideBatch(client, inputs))!;
      }
      await client.query('COMMIT');
      return results;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async ensureRows(client: import('pg').PoolClient, inputs: BatchedConsumption[]): Promise<void> {
    const { keys, tuples, params } = keyTuples(inputs);
    if (keys.length > 0) await client.query(`INSERT INTO usage_counters (tenant_id, env, meter, period_start) VALUES ${tuples} ON CONFLICT DO NOTHING`, params);
  }

  /** Decides and writes the batch, or returns undefined (having written nothing) if a row does not exist yet. */
  private async decideBatch(client: import('pg').PoolClient, inputs: BatchedConsumption[]): Promise<BatchedResult[] | undefined> {
    const { keys, tuples, params } = keyTuples(inputs);
    const { rows } = await client.query<{ tenant_id: string; env: string; meter: string; period_start: Date; used: string; window_start: Date; window_count: number }>(
      `SELECT tenant_id, env, meter, period_start, used, window_start, window_count FROM usage_counters
       WHERE (tenant_id, env, meter, period_start) IN (${tuples})
       ORDER BY tenant_id, env, meter, period_start FOR UPDATE`,
      params,
    );
    if (rows.length < keys.length) return undefined;
    const states = new Map<string, CounterState>(
      rows.map((r) => [`${r.tenant_id}|${r.env}|${r.meter}|${r.period_start.toISOString()}`, { used: Number(r.used), windowStart: r.window_start.getTime(), windowCount: r.window_count }]),
    );
    const overage: Array<[BatchedConsumption, number]> = [];
    const results = inputs.map((input) => {
      const key = rowKey(input);
      const state = states.get(key)!;
      const window = hourWindowStart(input.now);
      const decision = decide(state, input.cost, input.limits, window);
      if (decision.allowed) {
        states.set(key, { used: decision.used, windowStart: window, windowCount: decision.windowCount });
        if (decision.overage > 0) overage.push([input, decision.overage]);
        return { allowed: true, used: decision.used, windowStart: new Date(window), windowCount: decision.windowCount };
      }
      const sameWindow = state.windowStart === window;
      return { allowed: false, reason: decision.reason, used: state.used, windowStart: new Date(window), windowCount: sameWindow ? state.windowCount : 0 };
    });
    await this.write(client, keys, states);
    if (overage.length > 0) {
      const values = overage.map((_, i) => `($${i * 5 + 1}::uuid, $${i * 5 + 2}::text, $${i * 5 + 3}::text, $${i * 5 + 4}::text, $${i * 5 + 5}::bigint)`).join(', ');
      await client.query(`INSERT INTO overage_outbox (tenant_id, env, meter, request_key, quantity) VALUES ${values} ON CONFLICT (request_key) DO NOTHING`, overage.flatMap(([c, q]) => [c.tenantId, c.env, c.meter, c.requestKey, q]));
    }
    return results;
  }

  private async write(client: import('pg').PoolClient, keys: BatchedConsumption[], states: Map<string, CounterState>): Promise<void> {
    const values = keys.map((_, i) => `($${i * 7 + 1}::uuid, $${i * 7 + 2}::text, $${i * 7 + 3}::text, $${i * 7 + 4}::timestamptz, $${i * 7 + 5}::bigint, $${i * 7 + 6}::timestamptz, $${i * 7 + 7}::int)`).join(', ');
    const params = keys.flatMap((c) => {
      const state = states.get(rowKey(c))!;
      return [c.tenantId, c.env, c.meter, c.periodStart, state.used, new Date(state.windowStart), state.windowCount];
    });
    await client.query(
      `UPDATE usage_counters AS c SET used = v.used, window_start = v.window_start, window_count = v.window_count
       FROM (VALUES ${values}) AS v(tenant_id, env, meter, period_start, used, window_start, window_count)
       WHERE c.tenant_id = v.tenant_id AND c.env = v.env AND c.meter = v.meter AND c.period_start = v.period_start`,
      params,
    );
  }
}
