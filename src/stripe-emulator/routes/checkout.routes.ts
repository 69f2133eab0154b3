import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { listOf, operation, type Params, requireParam } from '../http.js';
import { newId } from '../ids.js';
import { checkoutPage, closedCheckoutPage, paidPage } from '../pages/checkout.page.js';
import { amountFor, isMetered } from '../pricing.js';
import { withShape } from '../shapes.js';
import type { CardBehaviour, StripeObject } from '../store.js';
import { invalidRequest } from '../stripe-error.js';

const TEST_CARDS: Record<string, CardBehaviour | 'declined'> = {
  '4242424242424242': 'succeeds',
  '5555555555554444': 'succeeds',
  '4000000000000341': 'fails_later',
  '4000000000000002': 'declined',
};

function createSession(ctx: EmulatorContext, params: Params): StripeObject {
  if (requireParam(params, 'mode') !== 'subscription')
    throw invalidRequest('The emulator serves mode=subscription only.', 'mode');
  const lineItems = [].concat(requireParam(params, 'line_items')) as Array<{ price?: string; quantity?: string }>;
  const order = lineItems.map((item, index) => {
    const price = ctx.store.get(
      'prices',
      requireParam(item, 'price', `line_items[${index}][price]`),
      'price',
      `line_items[${index}][price]`,
    );
    if (!price.recurring)
      throw invalidRequest(
        'In subscription mode every line item needs a recurring price.',
        `line_items[${index}][price]`,
      );
    if (isMetered(price) && item.quantity !== undefined)
      throw invalidRequest('Quantity cannot be set for a metered price.', `line_items[${index}][quantity]`);
    return { price: price.id, quantity: Number(item.quantity ?? 1) };
  });
  const customer = params.customer ? ctx.store.get('customers', params.customer, 'customer', 'customer') : undefined;
  const total = order.reduce((sum, line) => {
    const price = ctx.store.get('prices', line.price, 'price');
    return sum + (isMetered(price) ? 0 : amountFor(price, line.quantity));
  }, 0);
  const now = ctx.clock.now();
  const id = newId('cs_test', 58);
  const session = withShape('checkout.session', {
    id,
    object: 'checkout.session',
    mode: 'subscription',
    status: 'open',
    payment_status: 'unpaid',
    customer: customer?.id ?? null,
    customer_email: params.customer_email ?? customer?.email ?? null,
    client_reference_id: params.client_reference_id ?? null,
    success_url: params.success_url ?? null,
    cancel_url: params.cancel_url ?? null,
    metadata: params.metadata ?? {},
    url: `${ctx.publicUrl}/c/pay/${id}`,
    created: now,
    expires_at: params.expires_at ? Number(params.expires_at) : now + 86_400,
    amount_subtotal: total,
    amount_total: total,
    currency: 'usd',
    livemode: false,
    locale: params.locale ?? null,
    payment_method_types: ['card'],
    ui_mode: 'hosted',
    subscription: null,
    invoice: null,
  });
  ctx.store.data.checkout_orders[id] = {
    line_items: order,
    subscription_metadata: params.subscription_data?.metadata ?? {},
  };
  return ctx.store.put('checkout_sessions', session);
}

function expire(ctx: EmulatorContext, session: StripeObject): StripeObject {
  if (session.status !== 'open')
    throw invalidRequest(`Only open checkout sessions can be expired; this one is ${session.status}.`, 'session');
  Object.assign(session, { status: 'expired', url: null });
  ctx.store.changed();
  ctx.events.emit('checkout.session.expired', session);
  return session;
}

/** Paying on the hosted page: a subscription, its first invoice, and Stripe's events, or a decline and nothing. */
function complete(ctx: EmulatorContext, session: StripeObject, behaviour: CardBehaviour): void {
  const order = ctx.store.data.checkout_orders[session.id];
  const customer = session.customer
    ? ctx.store.get('customers', session.customer, 'customer')
    : createCustomer(ctx, session.customer_email);
  ctx.store.data.customer_cards[customer.id] = behaviour;
  const lines = order.line_items.map((line) => ({
    price: ctx.store.get('prices', line.price, 'price'),
    quantity: line.quantity,
  }));
  const subscription = ctx.subscriptions.create(customer.id, lines, order.subscription_metadata);
  Object.assign(session, {
    status: 'complete',
    payment_status: 'paid',
    customer: customer.id,
    subscription: subscription.id,
    invoice: subscription.latest_invoice,
    customer_details: {
      address: null,
      email: customer.email,
      name: customer.name ?? null,
      phone: null,
      tax_exempt: 'none',
      tax_ids: [],
      business_name: null,
      individual_name: null,
    },
  });
  ctx.store.changed();
  ctx.events.emit('checkout.session.completed', session);
}

function createCustomer(ctx: EmulatorContext, email: string | null): StripeObject {
  const customer = ctx.store.put(
    'customers',
    withShape('customer', {
      id: newId('cus', 14),
      object: 'customer',
      email,
      balance: 0,
      created: ctx.clock.now(),
      livemode: false,
      metadata: {},
    }),
  );
  ctx.events.emit('customer.created', customer);
  return customer;
}

function linesOf(ctx: EmulatorContext, sessionId: string) {
  return ctx.store.data.checkout_orders[sessionId].line_items.map((line) => {
    const price = ctx.store.get('prices', line.price, 'price');
    const product = ctx.store.collection('products')[price.product];
    return { name: product?.name ?? price.product, amount: amountFor(price, line.quantity), metered: isMetered(price) };
  });
}

export function registerCheckoutRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  operation(app, ctx, 'V1CheckoutSessionsCreate', (params) => createSession(ctx, params));
  operation(app, ctx, 'V1CheckoutSessionsRetrieve', (_, { id }) =>
    ctx.store.get('checkout_sessions', id, 'checkout.session', 'session'),
  );
  operation(app, ctx, 'V1CheckoutSessionsExpire', (_, { id }) =>
    expire(ctx, ctx.store.get('checkout_sessions', id, 'checkout.session', 'session')),
  );
  operation(app, ctx, 'V1CheckoutSessionsList', (params) => {
    const sessions = Object.values(ctx.store.collection('checkout_sessions')).filter(
      (s) =>
        (!params.customer || s.customer === params.customer) &&
        (!params.subscription || s.subscription === params.subscription) &&
        (!params.status || s.status === params.status),
    );
    return listOf(sessions, params, '/v1/checkout/sessions');
  });

  app.get<{ Params: { id: string } }>('/c/pay/:id', async (request, reply) => {
    const session = ctx.store.collection('checkout_sessions')[request.params.id];
    if (!session)
      return reply
        .status(404)
        .type('text/html')
        .send(closedCheckoutPage({ status: 'unknown' }));
    if (session.status !== 'open') return reply.type('text/html').send(closedCheckoutPage(session));
    return reply.type('text/html').send(checkoutPage(session, linesOf(ctx, session.id)));
  });

  app.post<{ Params: { id: string }; Body: { card_number?: string } }>('/c/pay/:id', async (request, reply) => {
    const session = ctx.store.collection('checkout_sessions')[request.params.id];
    if (!session || session.status !== 'open')
      return reply
        .status(409)
        .type('text/html')
        .send(closedCheckoutPage(session ?? { status: 'unknown' }));
    const behaviour = TEST_CARDS[String(request.body?.card_number ?? '').replace(/\D/g, '')];
    const lines = linesOf(ctx, session.id);
    if (!behaviour)
      return reply
        .status(400)
        .type('text/html')
        .send(checkoutPage(session, lines, 'Your card number is invalid.'));
    if (behaviour === 'declined')
      return reply
        .status(402)
        .type('text/html')
        .send(checkoutPage(session, lines, 'Your card was declined.'));
    complete(ctx, session, behaviour);
    if (!session.success_url) return reply.type('text/html').send(paidPage());
    return reply.redirect(String(session.success_url).replace('{CHECKOUT_SESSION_ID}', session.id), 303);
  });
}
