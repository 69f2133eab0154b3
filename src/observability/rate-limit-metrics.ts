import { makeCounterProvider } from '@willsoto/nestjs-prometheus';

export const RATE_LIMITED = 'http_rate_limited_total';

/** Which limit refused a request; docs/operations.md says what each one means. */
export type RateLimitName = 'failed_auth' | 'public' | 'stripe_route' | 'stream';

/** Listed by every module that refuses requests with it; the registry holds one counter. */
export const rateLimitedProvider = makeCounterProvider({
  name: RATE_LIMITED,
  help: 'Requests refused with 429 rate_limited by a service limit (not a plan limit), by limit',
  labelNames: ['limit'],
});
