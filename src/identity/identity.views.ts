import type { ApiKey } from './entities/api-key.entity.js';
import type { Membership } from './entities/membership.entity.js';
import type { Tenant } from './entities/tenant.entity.js';

export const tenantView = (tenant: Tenant) => ({ id: tenant.id, name: tenant.name, created_at: tenant.createdAt });

export const memberView = (membership: Membership) => ({
  user_id: membership.userId,
  email: membership.user?.email ?? null,
  role: membership.role,
  created_at: membership.createdAt,
});

export const apiKeyView = (key: ApiKey) => ({
  id: key.id,
  name: key.name,
  prefix: key.prefix,
  env: key.env,
  role: key.role,
  created_at: key.createdAt,
  last_used_at: key.lastUsedAt,
  revoked_at: key.revokedAt,
});
