import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { pgPool } from '../internals/typeorm-pg-pool.js';

/*
 * One statement counts the request and says where the window stands. Windows are aligned on the
 * database's clock, so every instance agrees on them; a row from an earlier window starts again at 1.
 */
const COUNT_REQUEST = {
  name: 'count-stripe-route-request',
  text: `INSERT INTO stripe_route_counters AS c (tenant_id, env, window_start, requests)
         VALUES ($1, $2, date_bin($3::int * interval '1 second', now(), timestamptz 'epoch'), 1)
         ON CONFLICT (tenant_id, env) DO UPDATE SET
           requests = CASE WHEN c.window_start = EXCLUDED.window_start THEN c.requests + 1 ELSE 1 END,
           window_start = EXCLUDED.window_start
         RETURNING c.requests,
           ceil(extract(epoch FROM c.window_start + $3::int * interval '1 second' - now()) * 1000)::int AS ms_left`,
};

export interface WindowCount {
  /** Requests in the current window, this one included. */
  requests: number;
  /** Until the window ends. */
  msLeft: number;
}

/** stripe_route_counters: requests per tenant and env to the routes that call Stripe. */
@Injectable()
export class StripeRouteCountersRepository {
  private readonly pool: Pool;

  constructor(dataSource: DataSource) {
    this.pool = pgPool(dataSource);
  }

  /** Straight on the pool, never in a transaction: the request goes on to call Stripe. */
  async count(tenantId: string, env: string, windowSeconds: number): Promise<WindowCount> {
    const { rows } = await this.pool.query<{ requests: number; ms_left: number }>({
      ...COUNT_REQUEST,
      values: [tenantId, env, windowSeconds],
    });
    return { requests: rows[0].requests, msLeft: rows[0].ms_left };
  }
}
