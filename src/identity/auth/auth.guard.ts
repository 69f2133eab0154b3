import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ClsService } from 'nestjs-cls';
import { AUTH_CONTEXT } from './auth-context.js';
import { Authenticator } from './authenticator.js';
import { IS_PUBLIC } from './decorators.js';

/** Global: every route needs credentials unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly cls: ClsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    request.auth = await this.authenticator.authenticate(request.headers);
    this.cls.set(AUTH_CONTEXT, request.auth);
    return true;
  }
}
