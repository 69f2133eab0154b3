import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../../common/events/audit-trail.js';
import { BillingError } from '../billing.errors.js';
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
   * `via` names an operator tool other than the HTTP API (the CLI); with `unknownIdIsError`, an event
   * asked for by id that is not stored is `event_not_found`, and nothing is audited.
   */
  async requeue(filter: EventFilter, options: { via?: string; unknownIdIsError?: boolean } = {}): Promise<string[]> {
    const { via, unknownIdIsError } = options;
    const replayed = await this.events.requeue(filter);
    if (unknownIdIsError && filter.id && replayed.length === 0) throw new BillingError('event_not_found');
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
