import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../../common/events/audit-trail.js';
import { BillingError } from '../billing.errors.js';
import type { StripeEventStatus } from './stripe-event.entity.js';
import { type EventFilter, StripeEventsRepository } from './stripe-events.repository.js';
import { WebhookProcessor } from './webhook-processor.js';

const eventView = (event: Awaited<ReturnType<StripeEventsRepository['list']>>[number]) => ({
  id: event.id,
  type: event.type,
  livemode: event.livemode,
  status: event.status,
  attempts: event.attempts,
  next_attempt_at: event.nextAttemptAt,
  last_error: event.lastError,
  received_at: event.receivedAt,
  processed_at: event.processedAt,
});

/** What operators need when Stripe events go wrong: look, and replay. */
@Injectable()
export class WebhookAdminService {
  constructor(
    private readonly events: StripeEventsRepository,
    private readonly processor: WebhookProcessor,
    private readonly audit: AuditTrail,
  ) {}

  async list(filter: { status?: StripeEventStatus; type?: string }) {
    return (await this.events.list(filter)).map(eventView);
  }

  async replay(filter: EventFilter): Promise<{ replayed: string[] }> {
    const replayed = await this.events.requeue(filter);
    if (filter.id && replayed.length === 0) throw new BillingError('event_not_found');
    await this.audit.record({
      action: 'webhook.replayed',
      metadata: { filter: { ...filter, since: filter.since?.toISOString() }, count: replayed.length },
    });
    this.processor.wake();
    return { replayed };
  }
}
