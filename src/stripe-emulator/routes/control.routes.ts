import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import type { PaymentOutcome } from '../invoices.js';
import type { CardBehaviour } from '../store.js';
import type { ChaosOptions } from '../webhook-dispatcher.js';

const badRequest = (message: string) => ({ error: { type: 'invalid_request_error', message } });
/** `method` narrows a fault or a latency to GET (reads) or POST (writes); anything else means every request. */
const methodFilter = (method: unknown) =>
  typeof method === 'string' && ['GET', 'POST', 'DELETE'].includes(method.toUpperCase())
    ? method.toUpperCase()
    : undefined;

/** `/_emulator/*`: not Stripe's API; what a test or a developer needs to move the world along. */
export function registerControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post<{ Params: { id: string }; Body: { outcome?: PaymentOutcome } }>(
    '/_emulator/subscriptions/:id/advance',
    async (request, reply) => {
      const subscription = ctx.store.collection('subscriptions')[request.params.id];
      if (!subscription) return reply.status(404).send(badRequest(`No such subscription: '${request.params.id}'`));
      const outcome = request.body?.outcome;
      if (outcome && outcome !== 'success' && outcome !== 'failure')
        return reply.status(400).send(badRequest('outcome must be success or failure'));
      ctx.subscriptions.advance(subscription, outcome);
      return subscription;
    },
  );

  app.post<{ Body: { seconds?: number | string } }>('/_emulator/clock/advance', async (request, reply) => {
    const seconds = Number(request.body?.seconds);
    if (!Number.isInteger(seconds) || seconds <= 0)
      return reply.status(400).send(badRequest('seconds must be a positive integer'));
    ctx.clock.advanceTo(ctx.clock.now() + seconds);
    ctx.subscriptions.renewDue();
    return { now: ctx.clock.now() };
  });

  app.post<{ Params: { id: string }; Body: { behaviour?: CardBehaviour } }>(
    '/_emulator/customers/:id/card',
    async (request, reply) => {
      const behaviour = request.body?.behaviour;
      if (!ctx.store.collection('customers')[request.params.id])
        return reply.status(404).send(badRequest('No such customer'));
      if (behaviour !== 'succeeds' && behaviour !== 'fails_later')
        return reply.status(400).send(badRequest('behaviour must be succeeds or fails_later'));
      ctx.store.data.customer_cards[request.params.id] = behaviour;
      ctx.store.changed();
      return { customer: request.params.id, behaviour };
    },
  );

  app.get('/_emulator/deliveries', async () => ({ data: ctx.dispatcher.deliveries }));

  app.post<{ Body: ChaosOptions }>('/_emulator/chaos', async (request) => {
    const body = request.body ?? {};
    ctx.dispatcher.chaos = {
      duplicate: String(body.duplicate) === 'true',
      shuffle: String(body.shuffle) === 'true',
      delay_ms: Number(body.delay_ms ?? 0),
    };
    return ctx.dispatcher.chaos;
  });

  app.post<{
    Body: { count?: number | string; mode?: 'error' | 'hang'; hang_ms?: number | string; method?: string };
  }>('/_emulator/faults', async (request, reply) => {
    const count = Number(request.body?.count ?? 1);
    const mode = request.body?.mode ?? 'error';
    if (!Number.isInteger(count) || count < -1 || !['error', 'hang'].includes(mode))
      return reply.status(400).send(badRequest('count ≥ 0, or -1 for every request until set again; mode error|hang'));
    // -1: an outage that lasts until it is switched off (count 0), however many requests it meets.
    const remaining = count === -1 ? Number.MAX_SAFE_INTEGER : count;
    Object.assign(ctx.faults, {
      remaining,
      mode,
      hang_ms: Number(request.body?.hang_ms ?? 30_000),
      method: methodFilter(request.body?.method),
    });
    return { ...ctx.faults, remaining: count === -1 ? -1 : remaining };
  });

  const latencyView = () => ({ ms: ctx.latency.ms, remaining: ctx.latency.remaining, in_flight: ctx.latency.inFlight });
  app.get('/_emulator/latency', async () => latencyView());
  app.post<{ Body: { ms?: number | string; count?: number | string; method?: string } }>(
    '/_emulator/latency',
    async (request, reply) => {
      const ms = Number(request.body?.ms ?? 0);
      const count = Number(request.body?.count ?? -1);
      if (!Number.isInteger(ms) || ms < 0 || !Number.isInteger(count) || count < -1)
        return reply.status(400).send(badRequest('ms ≥ 0; count ≥ 0, or -1 (the default) for every request'));
      Object.assign(ctx.latency, { ms, remaining: ms === 0 ? 0 : count, method: methodFilter(request.body?.method) });
      return latencyView();
    },
  );

  app.post('/_emulator/reset', async () => {
    const endpoints = Object.values(ctx.store.collection('webhook_endpoints'));
    ctx.store.reset();
    for (const endpoint of endpoints) ctx.store.put('webhook_endpoints', endpoint);
    ctx.clock.restore(0);
    ctx.dispatcher.deliveries.length = 0;
    Object.assign(ctx.faults, { remaining: 0 });
    Object.assign(ctx.latency, { ms: 0, remaining: 0 });
    return { reset: true };
  });
}
