import { Injectable } from '@nestjs/common';
import { MicroBatcher } from '../common/micro-batcher.js';
import { type ConsumeResult, type Consumption, counterKey } from './consumption.js';
import { UsageRepository } from './usage.repository.js';

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
  private readonly batcher = new MicroBatcher<Consumption, ConsumeResult>(
    (requests) => this.usage.consumeBatch(requests),
    {
      maxBatch: MAX_BATCH,
      maxInFlight: MAX_IN_FLIGHT,
      // A row already being decided makes its next requests wait and go together: large batches for a hot tenant.
      exclusiveKey: counterKey,
    },
  );

  constructor(private readonly usage: UsageRepository) {}

  consume(request: Consumption): Promise<ConsumeResult> {
    return this.batcher.submit(request);
  }
}
