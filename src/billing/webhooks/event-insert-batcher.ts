import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MicroBatcher } from '../../common/micro-batcher.js';
import type { StripeEventRecord } from './stripe-event.entity.js';

export type NewStripeEvent = Pick<StripeEventRecord, 'id' | 'type' | 'livemode' | 'payload' | 'stripeCreated' | 'status' | 'lastError'>;

/**
 * Deliveries that arrive together share one multi-row INSERT: one round trip and one commit for
 * many events. Each caller still waits for its own row to be committed before it answers Stripe,
 * and learns whether its event was new (an id stored before, or twice in one batch, is not).
 */
@Injectable()
export class EventInsertBatcher {
  private readonly batcher = new MicroBatcher<NewStripeEvent, boolean>((events) => this.insertAll(events), { maxBatch: 64, maxInFlight: 4 });

  constructor(private readonly dataSource: DataSource) {}

  insert(event: NewStripeEvent): Promise<boolean> {
    return this.batcher.submit(event);
  }

  private async insertAll(events: NewStripeEvent[]): Promise<boolean[]> {
    const values: unknown[] = [];
    const rows = events.map((event, i) => {
      values.push(event.id, event.type, event.livemode, event.payload, event.stripeCreated, event.status, event.lastError);
      return `($${i * 7 + 1}, $${i * 7 + 2}, $${i * 7 + 3}, $${i * 7 + 4}, $${i * 7 + 5}, $${i * 7 + 6}, $${i * 7 + 7})`;
    });
    const inserted: Array<{ id: string }> = await this.dataSource.query(
      `INSERT INTO stripe_events (id, type, livemode, payload, stripe_created, status, last_error) VALUES ${rows.join(', ')}
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      values,
    );
    const fresh = new Set(inserted.map((row) => row.id));
    // The first of two copies in one batch is the new one; any later copy is a duplicate.
    return events.map((event) => fresh.delete(event.id));
  }
}
