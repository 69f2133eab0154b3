/**
 * Stripe dedupes a meter event identifier for 24 hours: a report that may already have reached
 * Stripe is sent again only within that, with an hour to spare.
 */
export const RESEND_WITHIN_HOURS = 23;
/** Stripe takes meter events up to 35 days old; a day to spare. */
export const STRIPE_MAX_AGE_DAYS = 34;
