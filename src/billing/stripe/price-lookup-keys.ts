/** Stable lookup keys, so provisioning finds its own prices again in any Stripe account. */
export const PRICE_LOOKUP_KEYS = {
  starter: 'plan_starter_monthly',
  pro: 'plan_pro_monthly',
  enterprise: 'plan_enterprise_monthly',
  overage: 'overage_per_1000_characters',
} as const;

export type PricedItem = keyof typeof PRICE_LOOKUP_KEYS;
