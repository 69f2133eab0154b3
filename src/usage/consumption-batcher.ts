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
  /** The counter row's key, computed once (the batcher needs it several times). */
  rowKey?: string;
}

export type BatchedResult = { allowed: boolean; reason?: 'rate' | 'quota'; used: number; windowStart: Date; windowCount: number };

const MAX_BATCH = 128;
const MAX_IN_FLIGHT = 10;
const rowKey = (c: BatchedConsumption) => (c.rowKey ??= `${c.tenantId}|${c.env}|${c.meter}|${c.periodStart.getTime()}`);

/** The distinct counter rows of a batch, in one fixed order, as the array parameters of the statements below. */
function keyArrays(inputs: BatchedConsumption[]) {
  const keys = [...new Map(inputs.map((c) => [rowKey(c), c])).entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, c]) => c);
  return { keys, params: [keys.map((c) => c.tenantId), keys.map((c) => c.env), keys.map((c) => c.meter), keys.map((c) => c.periodStart.toISOString())] };
}

const ROWS = 'unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[])';

/*
 * Constant texts, prepared once per connection (named statements): Postgres parses and plans each
 * once instead of once per batch. Rows are locked in one sorted order, so batches never deadlock.
 * A prepared statement outlives a change of its result types: a migration that retypes
 * usage_counters columns in place needs running instances restarted (or the statements renamed).
 */
const LOCK = {
  name: 'usage-counters-lock',
  text: `SELECT k.i::int AS i, c.used, (extract(epoch FROM c.window_start) * 1000)::float8 AS window_start_ms, c.window_count
         FROM ${ROWS} WITH ORDINALITY AS k(tenant_id, env, meter, period_start, i)
         JOIN usage_counters c USING (tenant_id, env, meter, period_start)
         ORDER BY c.tenant_id, c.env, c.meter, c.period_start FOR UPDATE OF c`,
};
const WRITE = {
  name: 'usage-counters-write',
  text: `UPDATE usage_counters AS c SET used = v.used, window_start = v.window_start, window_count = v.window_count
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::bigint[], $6::timestamptz[], $7::int[])
           AS v(tenant_id, env, meter, period_start, used, window_start, window_count)
         WHERE c.tenant_id = v.tenant_id AND c.env = v.env AND c.meter = v.meter AND c.period_start = v.period_start`,
};
const ENSURE = {
  name: 'usage-counters-ensure',
  text: `INSERT INTO usage_counters (tenant_id, env, meter, period_start) SELECT * FROM ${ROWS} ON CONFLICT DO NOTHING`,
};

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
    await client.query({ ...ENSURE, values: keyArrays(inputs).params });
  }

  /** Decides and writes the batch, or returns undefined (having written nothing) if a row does not exist yet. */
  private async decideBatch(client: import('pg').PoolClient, inputs: BatchedConsumption[]): Promise<BatchedResult[] | undefined> {
    const { keys, params } = keyArrays(inputs);
    const { rows } = await client.query<{ i: number; used: string; window_start_ms: number; window_count: number }>({ ...LOCK, values: params });
    if (rows.length < keys.length) return undefined;
    const states = new Map<string, CounterState>(rows.map((r) => [rowKey(keys[r.i - 1]), { used: Number(r.used), windowStart: r.window_start_ms, windowCount: r.window_count }]));
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
    await this.write(client, keys, params, states);
    if (overage.length > 0) {
      const values = overage.map((_, i) => `($${i * 5 + 1}::uuid, $${i * 5 + 2}::text, $${i * 5 + 3}::text, $${i * 5 + 4}::text, $${i * 5 + 5}::bigint)`).join(', ');
      await client.query(`INSERT INTO overage_outbox (tenant_id, env, meter, request_key, quantity) VALUES ${values} ON CONFLICT (request_key) DO NOTHING`, overage.flatMap(([c, q]) => [c.tenantId, c.env, c.meter, c.requestKey, q]));
    }
    return results;
  }

  private async write(client: import('pg').PoolClient, keys: BatchedConsumption[], params: string[][], states: Map<string, CounterState>): Promise<void> {
    const written = keys.map((c) => states.get(rowKey(c))!);
    await client.query({
      ...WRITE,
      values: [...params, written.map((state) => state.used), written.map((state) => new Date(state.windowStart).toISOString()), written.map((state) => state.windowCount)],
    });
  }
}
