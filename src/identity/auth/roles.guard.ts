import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { Role } from '../entities/role.js';
import { IdentityError } from '../identity.errors.js';
import { REQUIRED_ROLES, REQUIRES_OPERATOR, REQUIRES_USER } from './decorators.js';

/** Global, after AuthGuard: enforces @Roles(), @RequireUser() and @RequireOperator(). Roles come from the database. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const auth = context.switchToHttp().getRequest<FastifyRequest>().auth;
    if (!auth) return true;
    if (this.reflector.getAllAndOverride<boolean>(REQUIRES_USER, targets) && auth.actor.type !== 'user') {
      throw new IdentityError('user_required');
    }
    if (this.reflector.getAllAndOverride<boolean>(REQUIRES_OPERATOR, targets)) {
      if (auth.actor.type !== 'user' || !auth.actor.isOperator) throw new IdentityError('operator_required');
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (!roles) return true;
    if (!auth.scope) throw new IdentityError('tenant_required');
    if (!roles.includes(auth.scope.role)) {
      throw new IdentityError('forbidden_role', `This route needs the role ${roles.join(' or ')}; yours is ${auth.scope.role}.`);
    }
    return true;
  }
}
