import { defineErrors } from '../common/errors/app-error.js';

export const BillingError = defineErrors('BillingError', {
  card_declined: { status: 402, message: 'The card was declined.' },
  stripe_invalid_request: { status: 400, message: 'Stripe rejected the request.' },
  stripe_unavailable: {
    status: 502,
    message: 'Stripe is unreachable right now; nothing was changed. Try again shortly.',
  },
  stripe_outcome_unknown: {
    status: 202,
    message:
      'Stripe did not confirm the change in time; it may or may not have been made. It is being checked now: see GET /billing/status, or the billing stream.',
  },
  stripe_misconfigured: { status: 500, message: 'The service’s Stripe credentials were rejected.' },
  idempotency_conflict: { status: 409, message: 'A different request is already using this idempotency key.' },
  billing_disabled: { status: 503, message: 'Billing is disabled on this deployment (ENABLE_BILLING=false).' },
  billing_env_unavailable: { status: 409, message: 'This deployment has no Stripe key for this environment.' },
  billing_not_configured: { status: 503, message: 'Plan prices are not configured: run `npm run stripe:setup`.' },
  unknown_plan: { status: 400, message: 'There is no such plan; see GET /billing/plans.' },
  plan_not_purchasable: { status: 400, message: 'The free plan is not bought; cancel a paid plan to return to it.' },
  already_subscribed: {
    status: 409,
    message: 'The tenant already has a paid subscription; change plans with POST /billing/subscription/change.',
  },
  no_billing_account: { status: 409, message: 'The tenant has no billing account yet; buy a plan first.' },
  no_subscription: { status: 409, message: 'The tenant has no active subscription.' },
  same_plan: { status: 409, message: 'The tenant is already on that plan.' },
  redirect_not_allowed: { status: 400, message: 'Redirect URLs must be on APP_URL or one of CORS_ORIGINS.' },
  event_not_found: { status: 404, message: 'No stored Stripe event has that id.' },
  invalid_signature: { status: 400, message: 'The Stripe-Signature header is missing, invalid or too old.' },
  invalid_preview: {
    status: 400,
    message: 'proration_date needs the preview_token of a preview from the last 15 minutes; preview again.',
  },
  downgrade_pending: {
    status: 409,
    message: 'A downgrade is pending: change back to the plan paid for first, then upgrade.',
  },
  cannot_comp_own_tenant: {
    status: 403,
    message: 'Operators cannot comp a tenant they belong to, or belonged to in the last 30 days.',
  },
  tenant_not_found: { status: 404, message: 'No such tenant.' },
  tenant_mismatch: { status: 500, message: 'A Stripe object’s tenant does not match our records.' },
});
