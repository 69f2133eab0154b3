import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Injectable,
  Logger,
  SetMetadata,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { FastifyRequest } from 'fastify';
import type { Counter } from 'prom-client';
import { rateLimited } from '../common/errors/common.errors.js';
import { AppConfig } from '../config/app-config.js';
import { RATE_LIMITED } from '../observability/rate-limit-metrics.js';
import { StripeDeadlineInterceptor } from './stripe/stripe-deadline.js';
import { StripeRouteCountersRepository } from './stripe-route-counters.repository.js';

export const CALLS_STRIPE = 'billing:calls-stripe';
const WINDOW_SECONDS = 60;

/**
 * Every request to a route that calls Stripe counts against its tenant and env, whatever it
 * answers: RATE_LIMIT_STRIPE_ROUTES_PER_MINUTE across all such routes and all instances. Stripe's
 * own rate limit is the account's, shared by every tenant; one tenant must not spend it for all.
 * Runs after authentication and roles, so only callers allowed on the route count.
 */
@Injectable()
export class StripeRouteLimit implements CanActivate {
  private readonly logger = new Logger('RateLimits');

  constructor(
    private readonly config: AppConfig,
    private readonly counters: StripeRouteCountersRepository,
    @InjectMetric(RATE_LIMITED) private readonly refused: Counter<string>,
  ) {
    refused.inc({ limit: 'stripe_route' }, 0);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const scope = context.switchToHttp().getRequest<FastifyRequest>().auth?.scope;
    if (!scope) return true; // @Roles() refused it already
    const limit = this.config.rateLimits.stripeRoutesPerMinute;
    const { requests, msLeft } = await this.counters.count(scope.tenantId, scope.env, WINDOW_SECONDS);
    if (requests <= limit) return true;
    this.refused.inc({ limit: 'stripe_route' });
    if (requests === limit + 1)
      this.logger.warn(
        { limit: 'stripe_route', tenantId: scope.tenantId, env: scope.env },
        `tenant ${scope.tenantId} (${scope.env}) reached the stripe_route limit of ${limit} requests a minute`,
      );
    throw rateLimited(
      `This tenant may make ${limit} requests a minute to the billing routes that call Stripe.`,
      msLeft,
    );
  }
}

/** The route calls Stripe for the caller's tenant: StripeRouteLimit applies, and one Stripe budget for the request. */
export const CallsStripe = () =>
  applyDecorators(
    SetMetadata(CALLS_STRIPE, true),
    UseGuards(StripeRouteLimit),
    UseInterceptors(StripeDeadlineInterceptor),
  );
