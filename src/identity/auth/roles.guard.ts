import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { perRoute } from '../../common/http/route-metadata.js';
import type { Role } from '../entities/role.js';
import { IdentityError } from '../identity.errors.js';
import { REQUIRED_ROLES, REQUIRES_OPERATOR, REQUIRES_USER } from './decorators.js';

/** Global, after AuthGuard: enforces @Roles(), @RequireUser() and @RequireOperator(). Roles come from the database. */
@Injectable()
export class RolesGuard implements CanActivate {
  private readonly rulesOf = perRoute((handler, controller) => ({
    user: this.reflector.getAllAndOverride<boolean>(REQUIRES_USER, [handler, controller]),
    operator: this.reflector.getAllAndOverride<boolean>(REQUIRES_OPERATOR, [handler, controller]),
    roles: this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, [handler, controller]),
  }));

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const auth = context.switchToHttp().getRequest<FastifyRequest>().auth;
    if (!auth) return true;
    const { user, operator, roles } = this.rulesOf(context);
    if (user && auth.actor.type !== 'user') throw new IdentityError('user_required');
    if (operator && (auth.actor.type !== 'user' || !auth.actor.isOperator))
      throw new IdentityError('operator_required');
    if (!roles) return true;
    if (!auth.scope) throw new IdentityError('tenant_required');
    if (!roles.includes(auth.scope.role)) {
      throw new IdentityError(
        'forbidden_role',
        `This route needs the role ${roles.join(' or ')}; yours is ${auth.scope.role}.`,
      );
    }
    return true;
  }
}
