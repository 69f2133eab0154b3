import type { Plan } from '../plans/plans.js';

export const planView = (plan: Plan) => ({
  id: plan.id,
  name: plan.name,
  price: plan.priceCents,
  currency: plan.currency,
  interval: plan.interval,
  monthly_characters: plan.monthlyCharacters,
  requests_per_hour: plan.requestsPerHour,
  features: plan.features,
});
