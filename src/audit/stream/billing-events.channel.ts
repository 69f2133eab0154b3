/** Postgres NOTIFY channel: payload `tenantId:env` of a tenant that has new billing events. */
export const BILLING_EVENTS_CHANNEL = 'billing_events';
