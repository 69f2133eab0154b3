import { ERROR_CODES } from '../common/errors/app-error.js';
import type { RouteInfo } from './route-catalog.js';

const known = (...codes: string[]) => {
  for (const code of codes) if (!ERROR_CODES.has(code)) throw new Error(`unknown error code ${code}`);
  return codes;
};

/**
 * The error codes a route can answer with because of what it is (authenticated, role-restricted,
 * metered, with a body), by HTTP status. A module's own codes (billing's, identity's) are in the
 * document's full catalog rather than listed per route.
 */
export function routeErrors(route: RouteInfo, hasParameters: boolean): Map<number, string[]> {
  // Any route may meet a database that cannot be reached: 503 with Retry-After.
  const codes: string[] = ['internal_error', ...known('database_unavailable')];
  if (hasParameters) codes.push(...known('validation_failed'));
  if (['POST', 'PUT', 'PATCH'].includes(route.method))
    codes.push(...known('validation_failed', 'malformed_json', 'payload_too_large', 'unsupported_media_type'));
  if (route.access === 'stripe_signature') codes.push(...known('invalid_signature'));
  if (route.access !== 'public' && route.access !== 'stripe_signature')
    codes.push(...known('unauthenticated', 'invalid_token', 'invalid_api_key'));
  if (route.access === 'roles')
    codes.push(
      ...known(
        'tenant_required',
        'invalid_tenant_header',
        'invalid_env',
        'env_mismatch',
        'not_a_member',
        'forbidden_role',
      ),
    );
  if (route.access === 'user') codes.push(...known('user_required'));
  if (route.access === 'operator') codes.push(...known('operator_required'));
  if (route.metered || route.needsFeature) codes.push(...known('subscription_inactive', 'feature_not_in_plan'));
  if (route.metered) codes.push(...known('quota_exceeded', 'rate_limited', 'invalid_cost'));
  if (route.clientLimited || route.callsStripe) codes.push(...known('rate_limited'));
  const byStatus = new Map<number, string[]>();
  for (const code of new Set(codes)) {
    const status = ERROR_CODES.get(code)!.status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return byStatus;
}
