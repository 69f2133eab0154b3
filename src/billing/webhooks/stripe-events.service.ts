import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../../common/events/audit-trail.js';
import { type EventFilter, StripeEventsRepository } from './stripe-events.repository.js';

/** The stored Stripe events, for operators: queue matching ones again (audited). */
@Injectable()
export class StripeEventsService {
  constructor(
    private readonly events: StripeEventsRepository,
    private readonly audit: AuditTrail,
  ) {}

  /**
   * Processing an event again is harmless: every handler re-reads Stripe. Returns the ids queued.
   * `via` names an operator tool other than the HTTP API (the CLI).
   */
  async requeue(filter: EventFilter, via?: string): Promise<string[]> {
    const replayed = await this.events.requeue(filter);
    await this.audit.record({
      action: 'webhook.replayed',
      ...(via ? { actor: { type: 'operator' as const } } : {}),
      metadata: {
        filter: { ...filter, since: filter.since?.toISOString() },
        count: replayed.length,
        ...(via ? { via } : {}),
      },
    });
    return replayed;
  }
}
