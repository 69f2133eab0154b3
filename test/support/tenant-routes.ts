/** Every tenant-scoped route, with a request that would change or read the victim's data. */
export interface TenantRoute {
  method: string;
  path: (ids: { memberId: string; apiKeyId: string }) => string;
  body?: unknown;
  /** Owner/admin only; members get 403. */
  adminOnly: boolean;
}

export const TENANT_ROUTES: TenantRoute[] = [
  { method: 'GET', path: () => '/tenants/current', adminOnly: false },
  { method: 'GET', path: () => '/tenants/current/members', adminOnly: true },
  {
    method: 'POST',
    path: () => '/tenants/current/members',
    body: { email: 'intruder@example.com', role: 'admin' },
    adminOnly: true,
  },
  {
    method: 'PATCH',
    path: ({ memberId }) => `/tenants/current/members/${memberId}`,
    body: { role: 'owner' },
    adminOnly: true,
  },
  { method: 'DELETE', path: ({ memberId }) => `/tenants/current/members/${memberId}`, adminOnly: true },
  { method: 'GET', path: () => '/tenants/current/api-keys', adminOnly: true },
  { method: 'POST', path: () => '/tenants/current/api-keys', body: { name: 'stolen' }, adminOnly: true },
  { method: 'DELETE', path: ({ apiKeyId }) => `/tenants/current/api-keys/${apiKeyId}`, adminOnly: true },
  { method: 'GET', path: () => '/audit', adminOnly: true },
  { method: 'GET', path: () => '/billing/status', adminOnly: false },
  { method: 'GET', path: () => '/billing/entitlements', adminOnly: false },
  { method: 'GET', path: () => '/usage', adminOnly: false },
  { method: 'POST', path: () => '/entitlements/check', body: { meter: 'characters', amount: 1 }, adminOnly: false },
  { method: 'POST', path: () => '/usage/consume', body: { meter: 'characters', amount: 1 }, adminOnly: false },
  { method: 'POST', path: () => '/v1/summarize', body: { text: 'Stolen credits.' }, adminOnly: false },
];

export const routeName = (route: TenantRoute) => `${route.method} ${route.path({ memberId: ':id', apiKeyId: ':id' })}`;
