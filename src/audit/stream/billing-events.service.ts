import { Transactional } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { NewBillingEvent } from './billing-event.payload.js';
import { BillingEventsRepository } from './billing-events.repository.js';
import { EVENTS_PUBLISHED } from './billing-stream-metrics.js';

/** Publishes to the tenant's billing event stream: stored, then announced to every instance at commit. */
@Injectable()
export class BillingEvents {
  constructor(
    private readonly events: BillingEventsRepository,
    @InjectMetric(EVENTS_PUBLISHED) private readonly published: Counter<string>,
  ) {}

  /** Joins the caller's transaction, so an event exists exactly when the change it describes does. */
  @Transactional()
  async publish(event: NewBillingEvent): Promise<string | null> {
    const id = await this.events.insert(event);
    if (id) this.published.inc({ type: event.type });
    return id;
  }
}
