import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { CLS_ID, ClsService } from 'nestjs-cls';
import { perRoute } from '../../common/http/route-metadata.js';
import { AUTH_CONTEXT, type AuthContext } from './auth-context.js';
import { Authenticator } from './authenticator.js';
import { IS_PUBLIC } from '../../common/http/public.decorator.js';

/**
 * Global, and first: opens the request's CLS context (request id, then the auth context), then
 * requires credentials unless the route is marked @Public().
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly isPublic = perRoute(
    (handler, controller) => !!this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler, controller]),
  );

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly cls: ClsService,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // A fresh store per request: a keep-alive connection's next request must not inherit this one's tenant.
    this.cls.enter({ ifNested: 'override' });
    this.cls.set(CLS_ID, request.id);
    if (this.isPublic(context)) return true;
    const auth = this.authenticator.authenticate(request.headers);
    return auth instanceof Promise ? auth.then((known) => this.admit(request, known)) : this.admit(request, auth);
  }

  private admit(request: FastifyRequest, auth: AuthContext): true {
    request.auth = auth;
    this.cls.set(AUTH_CONTEXT, auth);
    return true;
  }
}
