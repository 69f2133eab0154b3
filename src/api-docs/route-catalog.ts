import { Injectable, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { DECORATORS, type OpenAPIObject } from '@nestjs/swagger';
import { METERED, REQUIRED_FEATURES } from '../entitlements/metering.metadata.js';
import { IS_PUBLIC, NO_CLIENT_LIMIT } from '../common/http/public.decorator.js';
import { CALLS_STRIPE } from '../billing/stripe-route-limit.js';
import { REQUIRED_ROLES, REQUIRES_OPERATOR, REQUIRES_USER } from '../identity/auth/decorators.js';
import type { Role } from '../identity/entities/role.js';

/** Who may call a route, as the guards decide it. */
export type RouteAccess = 'public' | 'stripe_signature' | 'operator' | 'user' | 'roles' | 'authenticated';

/** A route's operation in the OpenAPI document, if it has one. */
export const operationOf = (document: OpenAPIObject, route: Pick<RouteInfo, 'method' | 'path'>) =>
  document.paths[route.path]?.[route.method.toLowerCase() as 'get'];

export interface RouteInfo {
  method: string;
  /** In OpenAPI form: `/tenants/current/members/{userId}`. */
  path: string;
  access: RouteAccess;
  roles: Role[];
  metered: boolean;
  needsFeature: boolean;
  /** Under a per-address limit: failed authentication, or the one on public routes. */
  clientLimited: boolean;
  /** Under the per-tenant limit on routes that call Stripe. */
  callsStripe: boolean;
}

const segments = (value: unknown) => (Array.isArray(value) ? value[0] : value) as string | undefined;

/** Every HTTP route the application serves, with what its guards require: the documents are built from it. */
@Injectable()
export class RouteCatalog {
  private cached?: RouteInfo[];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  routes(): RouteInfo[] {
    this.cached ??= this.discovery
      .getControllers()
      .flatMap(({ metatype }) => (metatype ? this.routesOf(metatype as new () => object) : []));
    return this.cached;
  }

  private routesOf(controller: new () => object): RouteInfo[] {
    const prefix = segments(Reflect.getMetadata(PATH_METADATA, controller)) ?? '';
    const prototype = controller.prototype as Record<string, (...args: unknown[]) => unknown>;
    return this.scanner.getAllMethodNames(prototype).flatMap((name) => {
      const handler = prototype[name];
      const path = segments(Reflect.getMetadata(PATH_METADATA, handler));
      if (path === undefined) return [];
      const targets = [handler, controller];
      const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets) ?? [];
      const flag = (key: string) => !!this.reflector.getAllAndOverride(key, targets);
      return [
        {
          method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod],
          path: this.join(prefix, path),
          access: this.accessOf(targets, roles),
          roles,
          metered: flag(METERED),
          needsFeature: flag(REQUIRED_FEATURES),
          clientLimited: !flag(NO_CLIENT_LIMIT),
          callsStripe: flag(CALLS_STRIPE),
        },
      ];
    });
  }

  private accessOf(targets: Array<object>, roles: Role[]): RouteAccess {
    const flag = (key: string) => !!this.reflector.getAllAndOverride<boolean | undefined>(key, targets as never);
    const security = targets.flatMap(
      (target) =>
        (Reflect.getMetadata(DECORATORS.API_SECURITY, target) as Array<Record<string, unknown>> | undefined) ?? [],
    );
    if (security.some((requirement) => 'stripe_signature' in requirement)) return 'stripe_signature';
    if (flag(IS_PUBLIC)) return 'public';
    if (flag(REQUIRES_OPERATOR)) return 'operator';
    if (flag(REQUIRES_USER)) return 'user';
    return roles.length > 0 ? 'roles' : 'authenticated';
  }

  private join(prefix: string, path: string): string {
    const joined = `/${[prefix, path]
      .map((part) => part.replace(/^\/+|\/+$/g, ''))
      .filter(Boolean)
      .join('/')}`;
    return joined.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  }
}
