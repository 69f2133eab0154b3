import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { operation, requireParam } from '../http.js';
import { newId } from '../ids.js';
import { type PlanOption, portalPage } from '../pages/portal.page.js';
import { isMetered } from '../pricing.js';
import { withShape } from '../shapes.js';
import type { StripeObject } from '../store.js';

const LIVE = new Set(['active', 'past_due', 'trialing', 'unpaid']);

/** Plans a customer may switch to in the portal: the active, licensed monthly prices that have a lookup key. */
function planOptions(ctx: EmulatorContext): PlanOption[] {
  return Object.values(ctx.store.collection('prices'))
    .filter((p) => p.active && p.lookup_key && p.recurring && !isMetered(p))
    .sort((a, b) => (a.unit_amount ?? 0) - (b.unit_amount ?? 0))
    .map((p) => ({
      priceId: p.id,
      name: ctx.store.collection('products')[p.product]?.name ?? p.id,
      amount: p.unit_amount ?? 0,
    }));
}

const liveSubscriptions = (ctx: EmulatorContext, customer: string) =>
  Object.values(ctx.store.collection('subscriptions')).filter((s) => s.customer === customer && LIVE.has(s.status));

function act(ctx: EmulatorContext, subscription: StripeObject, action: string, price?: string): string {
  if (action === 'cancel') {
    ctx.subscriptions.update(subscription, { cancel_at_period_end: 'true' });
    return 'Your plan will be canceled at the end of the period.';
  }
  if (action === 'resume') {
    ctx.subscriptions.update(subscription, { cancel_at_period_end: 'false' });
    return 'Your plan will renew.';
  }
  const item = subscription.items.data.find((i: StripeObject) => !isMetered(i.price));
  ctx.subscriptions.update(subscription, { items: [{ id: item.id, price }], proration_behavior: 'always_invoice' });
  return 'Your plan was changed.';
}

export function registerPortalRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  operation(app, ctx, 'V1BillingPortalSessionsCreate', (params) => {
    const customer = ctx.store.get('customers', requireParam(params, 'customer'), 'customer', 'customer');
    const id = newId('bps', 24);
    const session = withShape('billing_portal.session', {
      id,
      object: 'billing_portal.session',
      configuration: 'bpc_emulator_default',
      created: ctx.clock.now(),
      customer: customer.id,
      flow: null,
      livemode: false,
      locale: params.locale ?? null,
      on_behalf_of: null,
      return_url: params.return_url ?? null,
      url: `${ctx.publicUrl}/p/session/${id}`,
    });
    ctx.store.put('portal_sessions', session);
    ctx.events.emit('billing_portal.session.created', session);
    return session;
  });

  app.get<{ Params: { id: string } }>('/p/session/:id', async (request, reply) => {
    const session = ctx.store.collection('portal_sessions')[request.params.id];
    if (!session) return reply.status(404).type('text/html').send('Unknown portal session');
    return reply
      .type('text/html')
      .send(portalPage(session, liveSubscriptions(ctx, session.customer), planOptions(ctx)));
  });

  app.post<{ Params: { id: string; action: string }; Body: { price?: string } }>(
    '/p/session/:id/:action',
    async (request, reply) => {
      const session = ctx.store.collection('portal_sessions')[request.params.id];
      const [subscription] = session ? liveSubscriptions(ctx, session.customer) : [];
      const { action } = request.params;
      const price = request.body?.price;
      const validSwitch = action !== 'switch' || planOptions(ctx).some((o) => o.priceId === price);
      if (!subscription || !['cancel', 'resume', 'switch'].includes(action) || !validSwitch) {
        return reply.status(400).type('text/html').send('That portal action is not available.');
      }
      const notice = act(ctx, subscription, action, price);
      return reply
        .type('text/html')
        .send(portalPage(session, liveSubscriptions(ctx, session.customer), planOptions(ctx), notice));
    },
  );
}
