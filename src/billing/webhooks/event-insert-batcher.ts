import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { StripeEventRecord } from './stripe-event.entity.js';

export type NewStripeEvent = Pick<StripeEventRecord, 'id' | 'type' | 'livemode' | 'payload' | 'stripeCreated' | 'status' | 'lastError'>;

interface Waiting {
  event: NewStripeEvent;
  resolve: (inserted: boolean) => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH = 64;
const MAX_IN_FLIGHT = 4;

/**
 * Deliveries that arrive together share one multi-row INSERT: one round trip and one commit for
 * many events. Each caller still waits for its own row to be committed before it answers Stripe,
 * and learns whether its event was new (an id stored before, or twice in one batch, is not).
 */
@Injectable()
export class EventInsertBatcher {
  private queue: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly dataSource: DataSource) {}

  insert(event: NewStripeEvent): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush(this.queue.splice(0, MAX_BATCH));
      this.schedule();
    });
  }

  private async flush(batch: Waiting[]): Promise<void> {
    if (batch.length === 0) return;
    this.inFlight++;
    try {
      const values: unknown[] = [];
      const rows = batch.map(({ event }, i) => {
        values.push(event.id, event.type, event.livemode, event.payload, event.stripeCreated, event.status, event.lastError);
        return `($${i * 7 + 1}, $${i * 7 + 2}, $${i * 7 + 3}, $${i * 7 + 4}, $${i * 7 + 5}, $${i * 7 + 6}, $${i * 7 + 7})`;
      });
      const inserted: Array<{ id: string }> = await this.dataSource.query(
        `INSERT INTO stripe_events (id, type, livemode, payload, stripe_created, status, last_error) VALUES ${rows.join(', ')}
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        values,
      );
      const fresh = new Set(inserted.map((row) => row.id));
      for (const waiting of batch) {
        // The first of two copies in one batch is the new one; any later copy is a duplicate.
        waiting.resolve(fresh.delete(waiting.event.id));
      }
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }
}
