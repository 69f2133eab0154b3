import { mapStripeError } from './stripe-error-mapper.js';

const sdkError = (type: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error('stripe says'), { type, ...extra });

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
    expect(mapStripeError(sdkError('StripeInvalidRequestError', { param: 'x' })).error).toMatchObject({
      message: 'stripe says',
      fields: { param: 'x' },
    });
    expect((mapStripeError(sdkError('StripeConnectionError')).error as Error).message).not.toContain('stripe says');
  });

  it('keeps Stripe’s own code, so callers match on it rather than on the wording of the message', () => {
    const duplicate = sdkError('StripeInvalidRequestError', { code: 'resource_already_exists', param: 'identifier' });
    expect(mapStripeError(duplicate).error).toMatchObject({
      fields: { param: 'identifier', stripe_code: 'resource_already_exists' },
    });
  });

  it('keeps the decline code Stripe gave', () => {
    expect(
      mapStripeError(sdkError('StripeCardError', { code: 'card_declined', decline_code: 'insufficient_funds' })).error,
    ).toMatchObject({ fields: { decline_code: 'insufficient_funds' } });
  });

  it('leaves errors that are not Stripe’s as they are, so our own bugs are not disguised as outages', () => {
    const bug = new TypeError('undefined is not a function');
    expect(mapStripeError(bug)).toEqual({ result: 'error', error: bug });
  });
});
