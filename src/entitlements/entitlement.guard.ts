import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { perRoute } from '../common/http/route-metadata.js';
import { AppConfig } from '../config/app-config.js';
import { IdentityError } from '../identity/identity.errors.js';
import { CommonError } from '../common/errors/common.errors.js';
import { secondsUntilWindowEnds } from '../usage/quota-math.js';
import { type ConsumeResult, type Consumption, UsageMeter } from '../usage/usage-meter.js';
import { UsageThresholds } from '../usage/usage-thresholds.js';
import { EntitlementCache } from './entitlement-cache.js';
import { EntitlementError } from './entitlement.errors.js';
import { type EntitlementSnapshot, isUsable, meterLimits, quotaPeriod } from './entitlement-snapshot.js';
import { METERED, type MeteredOptions, REQUIRED_FEATURES } from './metering.metadata.js';
import { meteringHeaders } from './metering-headers.js';
import { type MeterCharge, METER_CHARGE } from './meter-charge.js';

const DECIDED = Symbol('entitlementDecided');

interface RouteRules {
  metered: MeteredOptions | undefined;
  features: string[];
}

/**
 * The request path: entitlement from the in-process cache, features, then one atomic statement for
 * the quota and the hourly window. Sets the credit and rate-limit headers either way.
 */
@Injectable()
export class EntitlementGuard implements CanActivate {
  private readonly rulesOf = perRoute<RouteRules>((handler, controller) => ({
    metered: this.reflector.get<MeteredOptions | undefined>(METERED, handler),
    features: this.reflector.getAllAndMerge<string[]>(REQUIRED_FEATURES, [handler, controller]),
  }));

  constructor(
    private readonly reflector: Reflector,
    private readonly cache: EntitlementCache,
    private readonly meter: UsageMeter,
    private readonly thresholds: UsageThresholds,
    private readonly config: AppConfig,
  ) {}

  /** Without a promise when the entitlement is cached and the route is not metered. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // @RequireFeature and @Metered on one route attach this guard twice: decide (and charge) once.
    const seen = request as unknown as Record<symbol, boolean>;
    if (seen[DECIDED]) return true;
    seen[DECIDED] = true;
    const scope = request.auth?.scope;
    if (!scope) throw new IdentityError('tenant_required');
    const snapshot = this.cache.peek(scope.tenantId, scope.env);
    if (snapshot) return this.decide(context, request, snapshot);
    return this.cache.get(scope.tenantId, scope.env).then((loaded) => this.decide(context, request, loaded));
  }

  private decide(
    context: ExecutionContext,
    request: FastifyRequest,
    snapshot: EntitlementSnapshot,
  ): boolean | Promise<boolean> {
    const { metered, features } = this.rulesOf(context);
    if (!isUsable(snapshot))
      throw new EntitlementError('subscription_inactive', undefined, {
        status: snapshot.status,
        upgrade_url: this.upgradeUrl(),
      });
    const lacking = (feature: string) => !snapshot.features.has(feature);
    const missing = features.find(lacking) ?? metered?.features?.(request).find(lacking);
    if (missing)
      throw new EntitlementError(
        'feature_not_in_plan',
        `Your plan (${snapshot.plan.id}) does not include ${missing}.`,
        { feature: missing, plan: snapshot.plan.id, upgrade_url: this.upgradeUrl() },
      );
    return metered
      ? this.consume(request, context.switchToHttp().getResponse<FastifyReply>(), snapshot, metered)
      : true;
  }

  private consume(
    request: FastifyRequest,
    reply: FastifyReply,
    snapshot: EntitlementSnapshot,
    options: MeteredOptions,
  ): Promise<true> {
    const cost = options.cost(request);
    if (!Number.isSafeInteger(cost) || cost < 0) throw new EntitlementError('invalid_cost');
    const now = Date.now();
    const period = quotaPeriod(snapshot, new Date(now));
    const limits = meterLimits(snapshot);
    const charge: Consumption = {
      tenantId: snapshot.tenantId,
      env: snapshot.env,
      meter: options.meter,
      periodStart: period.start,
      cost,
      limits,
      requestKey: limits.payg ? randomUUID() : null,
      now,
    };
    return this.meter.consume(charge).then((result) => {
      void reply.headers(meteringHeaders(limits, result, cost, period.end, now));
      if (result.allowed) {
        (request as unknown as Record<symbol, MeterCharge>)[METER_CHARGE] = { ...charge, used: result.used };
        return true;
      }
      if (result.reason === 'quota') this.thresholds.observe(charge, result.used, true);
      const refusal = this.refusal(result, limits.quota, limits.ratePerHour, period.end, now);
      if (result.reason === 'rate') void reply.header('retry-after', String(refusal.fields.retry_after_seconds));
      throw refusal;
    });
  }

  private refusal(
    result: Extract<ConsumeResult, { allowed: false }>,
    quota: number,
    rate: number | null,
    periodEnd: Date,
    now: number,
  ) {
    if (result.reason === 'rate') {
      const retryAfter = Math.max(1, secondsUntilWindowEnds(result.windowStart, now));
      return new CommonError('rate_limited', `The plan allows ${rate} requests an hour.`, {
        limit: rate,
        retry_after_seconds: retryAfter,
      });
    }
    return new EntitlementError('quota_exceeded', undefined, {
      limit: quota,
      used: result.used,
      resets_at: periodEnd.toISOString(),
      upgrade_url: this.upgradeUrl(),
    });
  }

  private upgradeUrl(): string {
    return `${this.config.appUrl}/billing/plans`;
  }
}
