import { Injectable } from '@nestjs/common';
import { MicroBatcher } from '../../common/micro-batcher.js';
import { type NewStripeEvent, StripeEventsRepository } from './stripe-events.repository.js';

export type { NewStripeEvent } from './stripe-events.repository.js';

/**
 * Deliveries that arrive together share one multi-row INSERT: one round trip and one commit for
 * many events. Each caller still waits for its own row to be committed before it answers Stripe,
 * and learns whether its event was new (an id stored before, or twice in one batch, is not).
 */
@Injectable()
export class EventInsertBatcher {
  private readonly batcher = new MicroBatcher<NewStripeEvent, boolean>((events) => this.insertAll(events), {
    maxBatch: 64,
    maxInFlight: 4,
  });

  constructor(private readonly events: StripeEventsRepository) {}

  insert(event: NewStripeEvent): Promise<boolean> {
    return this.batcher.submit(event);
  }

  private async insertAll(events: NewStripeEvent[]): Promise<boolean[]> {
    const fresh = await this.events.insertMany(events);
    // The first of two copies in one batch is the new one; any later copy is a duplicate.
    return events.map((event) => fresh.delete(event.id));
  }
}
