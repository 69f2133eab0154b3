import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { listOf, operation, type Params, requireParam } from '../http.js';
import { newId, unixNow } from '../ids.js';
import { withShape } from '../shapes.js';
import { invalidRequest, StripeApiError } from '../stripe-error.js';

/** Stripe takes meter events from the past 35 calendar days up to 5 minutes ahead. */
const METER_EVENT_MAX_AGE_SECONDS = 35 * 86_400;
const METER_EVENT_MAX_LEAD_SECONDS = 300;

const LISTABLE_STATUSES = new Set(['active', 'past_due', 'unpaid', 'trialing', 'paused', 'incomplete']);

function registerSubscriptions(app: FastifyInstance, ctx: EmulatorContext): void {
  const find = (id: string) => ctx.store.get('subscriptions', id, 'subscription');
  operation(app, ctx, 'V1SubscriptionsRetrieve', (_, { id }) => find(id));
  operation(app, ctx, 'V1SubscriptionsList', (params) => {
    const subscriptions = Object.values(ctx.store.collection('subscriptions')).filter(
      (s) =>
        (!params.customer || s.customer === params.customer) &&
        (params.status === 'all' || (params.status ? s.status === params.status : LISTABLE_STATUSES.has(s.status))) &&
        (!params.price || s.items.data.some((item: { price: { id: string } }) => item.price.id === params.price)),
    );
    return listOf(subscriptions, params, '/v1/subscriptions');
  });
  operation(app, ctx, 'V1SubscriptionsUpdate', (params, { id }) => {
    const subscription = find(id);
    const onlyMetadata = Object.keys(params).every((key) => key === 'metadata' || key === 'expand');
    if (subscription.status === 'canceled' && !onlyMetadata) {
      throw invalidRequest(
        'A canceled subscription can only update its cancellation_details and metadata.',
        undefined,
        'subscription_canceled',
      );
    }
    return ctx.subscriptions.update(subscription, params);
  });
  operation(app, ctx, 'V1SubscriptionsCancel', (params, { id }) => ctx.subscriptions.cancelNow(find(id), params));
  operation(app, ctx, 'V1SubscriptionsResume', (_, { id }) => ctx.subscriptions.resume(find(id)));
}

function registerInvoices(app: FastifyInstance, ctx: EmulatorContext): void {
  operation(app, ctx, 'V1InvoicesRetrieve', (_, { id }) => ctx.store.get('invoices', id, 'invoice', 'invoice'));
  operation(app, ctx, 'V1InvoicesList', (params) => {
    const invoices = Object.values(ctx.store.collection('invoices')).filter(
      (i) =>
        (!params.customer || i.customer === params.customer) &&
        (!params.subscription || i.parent?.subscription_details?.subscription === params.subscription) &&
        (!params.status || i.status === params.status),
    );
    return listOf(invoices, params, '/v1/invoices');
  });
  operation(app, ctx, 'V1InvoicesCreatePreview', (params) => {
    const subscription = ctx.store.get(
      'subscriptions',
      requireParam(params, 'subscription'),
      'subscription',
      'subscription',
    );
    if (params.customer && params.customer !== subscription.customer)
      throw invalidRequest('The subscription belongs to another customer.', 'customer');
    const details: Params = params.subscription_details ?? {};
    return ctx.subscriptions.preview(subscription, {
      items: details.items,
      proration_behavior: details.proration_behavior,
      proration_date: details.proration_date,
    });
  });
}

function registerMeters(app: FastifyInstance, ctx: EmulatorContext): void {
  operation(app, ctx, 'V1BillingMetersCreate', (params) => {
    const eventName = requireParam(params, 'event_name');
    if (
      Object.values(ctx.store.collection('meters')).some((m) => m.event_name === eventName && m.status === 'active')
    ) {
      throw invalidRequest(
        `An active meter with event_name ${eventName} already exists.`,
        'event_name',
        'resource_already_exists',
      );
    }
    const now = ctx.clock.now();
    return ctx.store.put(
      'meters',
      withShape('billing.meter', {
        id: newId('mtr_test', 24),
        object: 'billing.meter',
        created: now,
        updated: now,
        display_name: requireParam(params, 'display_name'),
        event_name: eventName,
        event_time_window: params.event_time_window ?? null,
        status: 'active',
        status_transitions: { deactivated_at: null },
        livemode: false,
        customer_mapping: {
          event_payload_key: params.customer_mapping?.event_payload_key ?? 'stripe_customer_id',
          type: 'by_id',
        },
        default_aggregation: {
          formula: requireParam(params.default_aggregation ?? {}, 'formula', 'default_aggregation[formula]'),
        },
        value_settings: { event_payload_key: params.value_settings?.event_payload_key ?? 'value' },
      }),
    );
  });
  operation(app, ctx, 'V1BillingMetersList', (params) =>
    listOf(
      Object.values(ctx.store.collection('meters')).filter((m) => !params.status || m.status === params.status),
      params,
      '/v1/billing/meters',
    ),
  );
  operation(app, ctx, 'V1BillingMetersRetrieve', (_, { id }) => ctx.store.get('meters', id, 'billing.meter'));
  operation(app, ctx, 'V1BillingMeterEventsCreate', (params) => {
    const eventName = requireParam(params, 'event_name');
    const meter = Object.values(ctx.store.collection('meters')).find(
      (m) => m.event_name === eventName && m.status === 'active',
    );
    if (!meter)
      throw invalidRequest(`No active meter was found for event_name ${eventName}.`, 'event_name', 'resource_missing');
    const payload = requireParam(params, 'payload') as Record<string, string>;
    const customer = payload[meter.customer_mapping.event_payload_key];
    const value = payload[meter.value_settings.event_payload_key];
    if (!customer)
      throw invalidRequest(
        `payload[${meter.customer_mapping.event_payload_key}] is required.`,
        `payload[${meter.customer_mapping.event_payload_key}]`,
        'parameter_missing',
      );
    if (value === undefined || !/^\d+(\.\d+)?$/.test(value))
      throw invalidRequest(
        `payload[${meter.value_settings.event_payload_key}] must be a non-negative number.`,
        `payload[${meter.value_settings.event_payload_key}]`,
      );
    if (params.timestamp !== undefined && !/^\d+$/.test(String(params.timestamp)))
      throw invalidRequest(`Invalid integer: ${params.timestamp}`, 'timestamp');
    const timestamp = params.timestamp === undefined ? ctx.clock.now() : Number(params.timestamp);
    // Against real time, as Stripe's own edge checks it: the emulator's test clock may be months ahead.
    if (
      params.timestamp !== undefined &&
      (timestamp < unixNow() - METER_EVENT_MAX_AGE_SECONDS || timestamp > unixNow() + METER_EVENT_MAX_LEAD_SECONDS)
    ) {
      throw invalidRequest(
        'The timestamp must be within the past 35 calendar days or up to 5 minutes in the future.',
        'timestamp',
      );
    }
    const identifier = params.identifier ?? newId('mev', 20);
    if (ctx.store.data.meter_events.some((e) => e.identifier === identifier)) {
      throw new StripeApiError(
        400,
        'invalid_request_error',
        `An event with identifier ${identifier} already exists.`,
        'resource_already_exists',
        'identifier',
      );
    }
    const event = withShape('billing.meter_event', {
      object: 'billing.meter_event',
      created: ctx.clock.now(),
      event_name: eventName,
      identifier,
      livemode: false,
      payload: {
        [meter.customer_mapping.event_payload_key]: customer,
        [meter.value_settings.event_payload_key]: value,
        stripe_customer_id: customer,
        value,
      },
      timestamp,
    });
    ctx.store.data.meter_events.push(event);
    ctx.store.changed();
    return event;
  });
}

export function registerBillingRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  registerSubscriptions(app, ctx);
  registerInvoices(app, ctx);
  registerMeters(app, ctx);
}
