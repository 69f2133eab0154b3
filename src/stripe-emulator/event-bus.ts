import type { Clock } from './clock.js';
import { newId } from './ids.js';
import type { EmulatorStore, StripeObject } from './store.js';
import type { WebhookDispatcher } from './webhook-dispatcher.js';

export const EMULATOR_API_VERSION = '2026-10-28.endive';

/** Records every state change as a Stripe event and hands it to the webhook dispatcher. */
export class EventBus {
  constructor(
    private readonly store: EmulatorStore,
    private readonly clock: Clock,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  emit(type: string, object: StripeObject, previousAttributes?: StripeObject): StripeObject {
    const endpoints = Object.values(this.store.collection('webhook_endpoints')).filter(
      (endpoint) =>
        endpoint.status === 'enabled' &&
        (endpoint.enabled_events.includes('*') || endpoint.enabled_events.includes(type)),
    );
    const event = {
      id: newId('evt'),
      object: 'event',
      api_version: EMULATOR_API_VERSION,
      created: this.clock.now(),
      data: {
        object: structuredClone(object),
        ...(previousAttributes ? { previous_attributes: previousAttributes } : {}),
      },
      livemode: false,
      pending_webhooks: endpoints.length,
      request: { id: null, idempotency_key: null },
      type,
    };
    this.store.put('events', event);
    this.dispatcher.dispatch(event, endpoints);
    return event;
  }
}
