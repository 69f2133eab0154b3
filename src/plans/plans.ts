export const PLAN_IDS = ['free', 'starter', 'pro', 'enterprise'] as const;
export type PlanId = (typeof PLAN_IDS)[number];

export interface Plan {
  id: PlanId;
  name: string;
  /** In the smallest currency unit (cents), so money is never a float. */
  priceCents: number;
  currency: 'usd';
  interval: 'month';
  monthlyCharacters: number;
  /** `null` means unlimited. */
  requestsPerHour: number | null;
  features: string[];
}

const FREE_FEATURES = ['basic_summarization'];
const STARTER_FEATURES = [...FREE_FEATURES, 'all_modes', 'email_support'];
const PRO_FEATURES = [...STARTER_FEATURES, 'priority', 'custom_models'];
const ENTERPRISE_FEATURES = [...PRO_FEATURES, 'dedicated_support', 'sla'];

export const PLANS: readonly Plan[] = [
  {
    id: 'free',
    name: 'Free',
    priceCents: 0,
    currency: 'usd',
    interval: 'month',
    monthlyCharacters: 10_000,
    requestsPerHour: 10,
    features: FREE_FEATURES,
  },
  {
    id: 'starter',
    name: 'Starter',
    priceCents: 999,
    currency: 'usd',
    interval: 'month',
    monthlyCharacters: 100_000,
    requestsPerHour: 100,
    features: STARTER_FEATURES,
  },
  {
    id: 'pro',
    name: 'Pro',
    priceCents: 2999,
    currency: 'usd',
    interval: 'month',
    monthlyCharacters: 1_000_000,
    requestsPerHour: 1_000,
    features: PRO_FEATURES,
  },
  {
    id: 'enterprise',
    name: 'Enterprise',
    priceCents: 9999,
    currency: 'usd',
    interval: 'month',
    monthlyCharacters: 10_000_000,
    requestsPerHour: null,
    features: ENTERPRISE_FEATURES,
  },
];

/** Pay-as-you-go: usage past the monthly quota, billed through a Stripe Billing Meter. */
export const OVERAGE = { unitAmountCents: 10, perCharacters: 1_000 } as const;
