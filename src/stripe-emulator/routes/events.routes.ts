import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { EMULATOR_API_VERSION } from '../event-bus.js';
import { listOf, operation, requireParam } from '../http.js';
import { newId } from '../ids.js';
import { withShape } from '../shapes.js';

export function registerEventRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  operation(app, ctx, 'V1EventsRetrieve', (_, { id }) => ctx.store.get('events', id, 'event'));
  operation(app, ctx, 'V1EventsList', (params) => {
    const types = params.types ? [].concat(params.types) : params.type ? [params.type] : undefined;
    const events = Object.values(ctx.store.collection('events')).filter(
      (e) => !types || types.includes(e.type as never),
    );
    return listOf(events, params, '/v1/events');
  });

  operation(app, ctx, 'V1WebhookEndpointsCreate', (params) => {
    const endpoint = withShape('webhook_endpoint', {
      id: newId('we', 24),
      object: 'webhook_endpoint',
      api_version: params.api_version ?? EMULATOR_API_VERSION,
      created: ctx.clock.now(),
      description: params.description ?? null,
      enabled_events: [].concat(requireParam(params, 'enabled_events')),
      livemode: false,
      metadata: params.metadata ?? {},
      secret: `whsec_${randomBytes(24).toString('hex')}`,
      status: 'enabled',
      url: requireParam(params, 'url'),
    });
    return ctx.store.put('webhook_endpoints', endpoint);
  });
  // The secret is shown only when an endpoint is created, as Stripe does.
  operation(app, ctx, 'V1WebhookEndpointsList', (params) =>
    listOf(
      Object.values(ctx.store.collection('webhook_endpoints')).map(({ secret: _secret, ...endpoint }) => endpoint),
      params,
      '/v1/webhook_endpoints',
    ),
  );
}
