/** Postgres NOTIFY channel: payload `tenantId:env` of an entitlement that changed. */
export const ENTITLEMENTS_CHANNEL = 'entitlements_changed';
