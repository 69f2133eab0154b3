/** How this process reaches Stripe, resolved at start-up (configured Stripe, or the local emulator). */
export interface StripeSettings {
  secretKey: string;
  /** Unset means api.stripe.com. */
  apiBase?: string;
  webhookSecrets: string[];
  mode: 'test' | 'live';
  /** True when start-up runs the local emulator: plans are provisioned into it on boot. */
  emulated: boolean;
  /** Per-attempt timeout; 10 s unless a test wants to see a hang end sooner. */
  timeoutMs?: number;
  /** Stripe calls in flight at once in this process (STRIPE_MAX_CONCURRENCY); 16 unless set. */
  maxConcurrency?: number;
  /** How long a request may spend on Stripe altogether before it answers; 13 s unless a test wants less. */
  requestBudgetMs?: number;
}

export const STRIPE_SETTINGS = Symbol('STRIPE_SETTINGS');

export const stripeModeOf = (secretKey: string): 'test' | 'live' =>
  /^(sk|rk)_live_/.test(secretKey) ? 'live' : 'test';
