import { Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { MicroBatcher } from '../common/micro-batcher.js';
import { pgPool } from '../database/pg-pool.js';
import { CONSUME_USAGE, type ConsumeResult, consumeResultOf, type Consumption, type ConsumeUsageRow, consumeUsageValues, counterKey } from './consume-usage.statement.js';

const MAX_BATCH = 128;
const MAX_IN_FLIGHT = 10;

/**
 * Requests that arrive together are decided by one consume_usage() statement: it locks their
 * counter rows in a fixed order (so instances never deadlock), decides each request in arrival
 * order by the rules of `decide()`, and writes the counters and PAYG outbox rows once. Exact across
 * any number of instances (the row locks), one round trip for many requests.
 */
@Injectable()
export class ConsumptionBatcher {
  private readonly pool: Pool;
  private readonly batcher = new MicroBatcher<Consumption, ConsumeResult>((requests) => this.decide(requests), {
    maxBatch: MAX_BATCH,
    maxInFlight: MAX_IN_FLIGHT,
    // A row already being decided makes its next requests wait and go together: large batches for a hot tenant.
    exclusiveKey: counterKey,
  });

  constructor(dataSource: DataSource) {
    this.pool = pgPool(dataSource);
  }

  consume(request: Consumption): Promise<ConsumeResult> {
    return this.batcher.submit(request);
  }

  private async decide(requests: Consumption[]): Promise<ConsumeResult[]> {
    const { rows } = await this.pool.query<ConsumeUsageRow>({ ...CONSUME_USAGE, values: consumeUsageValues(requests) });
    return rows.map((row, i) => consumeResultOf(row, requests[i]));
  }
}
