import { defineErrors } from '../common/errors/app-error.js';

export const BillingError = defineErrors({
  card_declined: { status: 402, message: 'The card was declined.' },
  stripe_invalid_request: { status: 400, message: 'Stripe rejected the request.' },
  stripe_unavailable: { status: 502, message: 'Stripe is unreachable right now; nothing was changed. Try again shortly.' },
  stripe_misconfigured: { status: 500, message: 'The service’s Stripe credentials were rejected.' },
  idempotency_conflict: { status: 409, message: 'A different request is already using this idempotency key.' },
});
