import Stripe from 'stripe';
import type { HttpResult, TestApp } from './test-app.js';

/** Signs only: the key is never sent anywhere. */
const signer = new Stripe('sk_test_signing_only');

/** A Stripe event as Stripe sends it: a product event, which no handler acts on, unless told otherwise. */
export const stripeEvent = (overrides: Record<string, unknown> = {}) => ({
  id: `evt_test_${Math.random().toString(36).slice(2)}`,
  object: 'event',
  api_version: '2026-10-28.endive',
  created: Math.floor(Date.now() / 1000),
  livemode: false,
  type: 'product.created',
  data: { object: { id: 'prod_x', object: 'product' } },
  ...overrides,
});

/** Posts `payload` to the webhook route signed with `secret`, as Stripe would. */
export const deliverSigned = (
  t: Pick<TestApp, 'request'>,
  payload: string,
  secret: string,
  headers: Record<string, string> = {},
): Promise<HttpResult> =>
  t.request('POST', '/billing/webhook', {
    rawBody: payload,
    headers: {
      'content-type': 'application/json',
      'stripe-signature': signer.webhooks.generateTestHeaderString({ payload, secret }),
      ...headers,
    },
  });
