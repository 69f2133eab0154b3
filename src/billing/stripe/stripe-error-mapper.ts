import { BillingError } from '../billing.errors.js';

interface StripeSdkError {
  type?: string;
  detail?: { code?: string };
  decline_code?: string;
  message?: string;
  code?: string;
  param?: string;
  statusCode?: number;
}

const isStripeSdkError = (error: unknown): error is StripeSdkError =>
  typeof error === 'object' &&
  error !== null &&
  typeof (error as StripeSdkError).type === 'string' &&
  String((error as StripeSdkError).type).startsWith('Stripe');

/** Errors after which Stripe may have done what was asked: the answer, not the request, may be what was lost. */
const uncertain = new WeakSet<object>();
/** Of those, the ones where no answer came at all: Stripe may have stored nothing under the key. */
const unanswered = new WeakSet<object>();

/** Connection failures that happen before a request is sent: Stripe cannot have seen it. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * True when a write may have taken effect although it failed: a timeout, a dropped connection,
 * Stripe's own 5xx, or another request with the same idempotency key still running at Stripe.
 */
export function mayHaveTakenEffect(error: unknown): boolean {
  return typeof error === 'object' && error !== null && uncertain.has(error);
}

/**
 * A timeout or a dropped connection: sending again with the same key is worth it (Stripe replays
 * the first result, or makes the change once). After a 5xx it is not: Stripe stored that answer
 * under the key and replays it.
 */
export function answerNeverCame(error: unknown): boolean {
  return typeof error === 'object' && error !== null && unanswered.has(error);
}

/** The result label for metrics, and our own coded error for callers; anything not from Stripe is our own bug and stays as it is. */
export function mapStripeError(error: unknown): { result: string; error: unknown } {
  if (!isStripeSdkError(error)) return { result: 'error', error };
  const mapped = mapKnown(error);
  const noAnswer = error.type === 'StripeConnectionError' && !NEVER_SENT.has(error.detail?.code ?? '');
  const lostAnswer = noAnswer || error.type === 'StripeAPIError' || error.code === 'idempotency_key_in_use';
  if (typeof mapped.error === 'object' && mapped.error !== null) {
    if (lostAnswer) uncertain.add(mapped.error);
    if (noAnswer) unanswered.add(mapped.error);
  }
  return mapped;
}

function mapKnown(error: StripeSdkError): { result: string; error: unknown } {
  switch (error.type) {
    case 'StripeCardError':
      return {
        result: 'card_declined',
        error: new BillingError('card_declined', error.message, { decline_code: error.decline_code ?? error.code }),
      };
    case 'StripeInvalidRequestError':
      return {
        result: 'invalid_request',
        error: new BillingError('stripe_invalid_request', error.message, {
          ...(error.param ? { param: error.param } : {}),
          ...(error.code ? { stripe_code: error.code } : {}),
        }),
      };
    case 'StripeIdempotencyError':
      return { result: 'idempotency_error', error: new BillingError('idempotency_conflict') };
    case 'StripeAuthenticationError':
    case 'StripePermissionError':
      return { result: 'auth_error', error: new BillingError('stripe_misconfigured') };
    default:
      // Connection errors, timeouts, rate limits and Stripe's own 5xx: nothing we can fix by retrying the same call now.
      return { result: 'unavailable', error: new BillingError('stripe_unavailable') };
  }
}
