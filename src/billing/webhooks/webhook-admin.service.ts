import { Injectable } from '@nestjs/common';
import { BillingError } from '../billing.errors.js';
import type { StripeEventStatus } from './stripe-event.entity.js';
import { type EventFilter, StripeEventsRepository } from './stripe-events.repository.js';
import { StripeEventsService } from './stripe-events.service.js';
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
    private readonly stored: StripeEventsService,
    private readonly processor: WebhookProcessor,
  ) {}

  async list(filter: { status?: StripeEventStatus; type?: string }) {
    return (await this.events.list(filter)).map(eventView);
  }

  async replay(filter: EventFilter): Promise<{ replayed: string[] }> {
    // Over HTTP an unknown id is a 404, and nothing is audited; the CLI reports 0 queued instead.
    if (filter.id && !(await this.events.find(filter.id))) throw new BillingError('event_not_found');
    const replayed = await this.stored.requeue(filter);
    this.processor.wake();
    return { replayed };
  }
}
