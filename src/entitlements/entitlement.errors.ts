import { defineErrors } from '../common/errors/app-error.js';

export const EntitlementError = defineErrors('EntitlementError', {
  quota_exceeded: { status: 402, message: 'The monthly quota is used up.' },
  feature_not_in_plan: { status: 402, message: 'Your plan does not include this feature.' },
  subscription_inactive: { status: 402, message: 'The subscription is not active; billing needs attention.' },
  invalid_cost: { status: 400, message: 'The request’s metered cost could not be determined.' },
});
