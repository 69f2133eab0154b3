import type { StripeEnv } from '../../config/app-config.js';
import type { Role } from '../entities/role.js';

export type Actor =
  { type: 'user'; id: string; email: string | null; isOperator: boolean } | { type: 'api_key'; id: string };

/** The tenant and environment a request acts on, with the caller's role there. */
export interface TenantScope {
  tenantId: string;
  env: StripeEnv;
  role: Role;
}

export interface AuthContext {
  actor: Actor;
  scope?: TenantScope;
}

/** Where the auth context lives in the request's CLS store. */
export const AUTH_CONTEXT = 'auth';

declare module 'fastify' {
  interface FastifyRequest {
    auth?: AuthContext;
  }
}
