// The emulator's end-to-end check, using only the `stripe` package: create a customer and a
// subscription-mode Checkout Session, pay on the hosted page by posting its form, and receive the
// signed events at a local listener. Run `npm run stripe:emulator` first, then:
//   node scripts/emulator-checkout-demo.mjs   (STRIPE_API_BASE / STRIPE_SECRET_KEY override the defaults)
import http from 'node:http';
import Stripe from 'stripe';

const base = new URL(process.env.STRIPE_API_BASE ?? 'http://127.0.0.1:12111');
const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? 'sk_test_emulator', {
  host: base.hostname,
  port: Number(base.port),
  protocol: 'http',
});
const expected = [
  'checkout.session.completed',
  'customer.subscription.created',
  'invoice.created',
  'invoice.finalized',
  'invoice.paid',
];

const received = [];
const listener = http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    received.push({ body, signature: request.headers['stripe-signature'] });
    response.end('ok');
  });
});
await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve));
const endpoint = await stripe.webhookEndpoints.create({
  url: `http://127.0.0.1:${listener.address().port}/webhook`,
  enabled_events: ['*'],
});

const customer = await stripe.customers.create({ email: 'demo@example.com' });
const price = await stripe.prices.create({
  currency: 'usd',
  unit_amount: 999,
  recurring: { interval: 'month' },
  product_data: { name: 'Demo plan' },
});
const session = await stripe.checkout.sessions.create({
  mode: 'subscription',
  customer: customer.id,
  line_items: [{ price: price.id, quantity: 1 }],
  success_url: 'http://localhost:3000/done?session={CHECKOUT_SESSION_ID}',
  subscription_data: { metadata: { demo: 'true' } },
});
console.log(`checkout session ${session.id}\n  hosted page ${session.url}`);
const page = await fetch(session.url);
console.log(`  GET page: ${page.status}, has a Pay button: ${(await page.text()).includes('id="pay"')}`);
const paid = await fetch(session.url, {
  method: 'POST',
  body: new URLSearchParams({ card_number: '4242 4242 4242 4242' }),
  redirect: 'manual',
});
console.log(`  POST card 4242…: ${paid.status} → ${paid.headers.get('location')}`);

const deadline = Date.now() + 10_000;
const types = () =>
  received.map(({ body, signature }) => stripe.webhooks.constructEvent(body, signature, endpoint.secret).type);
while (!expected.every((type) => types().includes(type)) && Date.now() < deadline)
  await new Promise((r) => setTimeout(r, 50));
console.log(`signed events verified with stripe.webhooks.constructEvent:\n  ${types().join('\n  ')}`);
listener.close();
const missing = expected.filter((type) => !types().includes(type));
if (missing.length) {
  console.error(`missing: ${missing.join(', ')}`);
  process.exit(1);
}
