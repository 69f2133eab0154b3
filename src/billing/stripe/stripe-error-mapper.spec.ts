import { mapStripeError } from './stripe-error-mapper.js';

const sdkError = (type: string, extra: Record<string, unknown> = {}) => Object.assign(new Error('stripe says'), { type, ...extra });

describe('mapStripeError', () => {
  it.each([
    ['StripeCardError', 'card_declined', 402],
    ['StripeInvalidRequestError', 'stripe_invalid_request', 400],
    ['StripeIdempotencyError', 'idempotency_conflict', 409],
    ['StripeAuthenticationError', 'stripe_misconfigured', 500],
    ['StripeConnectionError', 'stripe_unavailable', 502],
    ['StripeAPIError', 'stripe_unavailable', 502],
    ['StripeRateLimitError', 'stripe_unavailable', 502],
  ])('maps %s to %s (%i)', (type, code, status) => {
    expect(mapStripeError(sdkError(type)).error).toMatchObject({ code, status });
  });

  it('keeps Stripe’s message for invalid requests, its own words for outages', () => {
    expect(mapStripeError(sdkError('StripeInvalidRequestError', { param: 'x' })).error).toMatchObject({ message: 'stripe says', fields: { param: 'x' } });
    expect(mapStripeError(sdkError('StripeConnectionError')).error.message).not.toContain('stripe says');
  });

  it('treats anything else as Stripe being unavailable', () => {
    expect(mapStripeError(new TypeError('socket hang up'))).toMatchObject({ result: 'error', error: { code: 'stripe_unavailable' } });
  });
});
