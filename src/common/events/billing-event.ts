import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { emitHandled } from './emit-handled.js';

export const BILLING_EVENT_TYPES = [
  'subscription.created',
  'subscription.updated',
  'subscription.canceled',
  'invoice.created',
  'invoice.updated',
  'invoice.paid',
  'invoice.payment_failed',
  'entitlement.updated',
  'usage.threshold_reached',
] as const;

export type BillingEventType = (typeof BILLING_EVENT_TYPES)[number];

export interface NewBillingEvent {
  tenantId: string;
  env: string;
  type: BillingEventType;
  data: Record<string, unknown>;
  /** Set for an event that must happen once (a threshold crossed in a period): a repeat is dropped. */
  dedupeKey?: string;
}

/** Handled by the billing stream module (layer 6), which usage and billing publish to from below. */
export const BILLING_EVENT = 'billing-stream.event';

/**
 * Publishes to the tenant's billing event stream. The handler joins the caller's transaction: the
 * event exists exactly when the change it describes does.
 */
@Injectable()
export class BillingEventPublisher {
  constructor(private readonly events: EventEmitter2) {}

  publish(event: NewBillingEvent): Promise<void> {
    return emitHandled(this.events, BILLING_EVENT, event, 'BillingStreamModule');
  }
}
