/** Postgres NOTIFY channel: payload `streamKey(tenantId, env)` of a tenant that has new billing events. */
export const BILLING_EVENTS_CHANNEL = 'billing_events';

/** One tenant and env's stream: the NOTIFY payload, and the hub's key for its clients. */
export const streamKey = (tenantId: string, env: string) => `${tenantId}:${env}`;
