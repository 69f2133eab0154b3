import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { CLS_ID, ClsService } from 'nestjs-cls';
import { perRoute } from '../../common/http/route-metadata.js';
import { AUTH_CONTEXT, type AuthContext } from './auth-context.js';
import { Authenticator } from './authenticator.js';
import { clientKey } from './client-address.js';
import { ClientLimits } from './client-limits.js';
import { IS_PUBLIC, NO_CLIENT_LIMIT } from '../../common/http/public.decorator.js';

/**
 * Global, and first: puts the auth context in the request's CLS context (opened, with the request
 * id, by the onRequest hook in app.factory.ts), then requires credentials unless the route is @Public().
 * The per-address limits (ClientLimits) apply here: to public routes, and to failed authentications.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly access = perRoute((handler, controller) => ({
    isPublic: !!this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler, controller]),
    unlimited: !!this.reflector.getAllAndOverride<boolean>(NO_CLIENT_LIMIT, [handler, controller]),
  }));

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly limits: ClientLimits,
    private readonly cls: ClsService,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // The request's context was opened fresh by the onRequest hook (app.factory.ts); only code that
    // serves a request some other way (a test's inject) gets one here.
    if (!this.cls.isActive()) {
      this.cls.enter();
      this.cls.set(CLS_ID, request.id);
    }
    const { isPublic, unlimited } = this.access(context);
    if (isPublic) return unlimited || this.limits.admitPublic(clientKey(request.ip));
    // Only when it counts: a key already verified, the common case, costs no address parsing.
    const client = () => clientKey(request.ip);
    let auth: AuthContext | Promise<AuthContext>;
    try {
      auth = this.authenticator.authenticate(request.headers, () => this.limits.beforeLookup(client()));
    } catch (error) {
      return this.limits.failed(client(), error);
    }
    return auth instanceof Promise
      ? auth.then(
          (known) => this.admit(request, known),
          (error: unknown) => this.limits.failed(client(), error),
        )
      : this.admit(request, auth);
  }

  private admit(request: FastifyRequest, auth: AuthContext): true {
    request.auth = auth;
    this.cls.set(AUTH_CONTEXT, auth);
    return true;
  }
}
