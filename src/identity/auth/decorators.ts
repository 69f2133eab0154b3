import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Role } from '../entities/role.js';
import { IdentityError } from '../identity.errors.js';
import { CommonError } from '../../common/errors/common.errors.js';
import type { Actor, TenantScope } from './auth-context.js';

export const REQUIRED_ROLES = 'identity:roles';
export const REQUIRES_USER = 'identity:user';
export const REQUIRES_OPERATOR = 'identity:operator';

/** Acts on a tenant; the caller's role there must be one of these. */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

/** Needs a signed-in user (JWT), not an API key. */
export const RequireUser = () => SetMetadata(REQUIRES_USER, true);

/** Needs a platform operator. */
export const RequireOperator = () => SetMetadata(REQUIRES_OPERATOR, true);

const requestOf = (context: ExecutionContext) => context.switchToHttp().getRequest<FastifyRequest>();

export const CurrentTenant = createParamDecorator((_: unknown, context: ExecutionContext): TenantScope => {
  const scope = requestOf(context).auth?.scope;
  if (!scope) throw new IdentityError('tenant_required');
  return scope;
});

export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const actor = requestOf(context).auth?.actor;
  if (!actor) throw new CommonError('unauthenticated');
  return actor;
});
