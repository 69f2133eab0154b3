import { Injectable } from '@nestjs/common';
import type { TenantScope } from '../identity/auth/auth-context.js';
import type { Executor } from '../database/executor.js';
import { type Consumption, UsageMeter } from '../usage/usage-meter.js';
import { UsageThresholds } from '../usage/usage-thresholds.js';
import { EntitlementCache } from './entitlement-cache.js';
import { type EntitlementSnapshot, isUsable, meterLimits, quotaPeriod } from './entitlement-snapshot.js';
import { meteringHeaders } from './metering-headers.js';
import type { CheckDto, ConsumeDto } from './dto/metering.dto.js';

export interface ConsumeAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/** An answer, and the usage it leaves for the threshold announcements (none for a replay or a refusal by rate). */
interface Decision {
  answer: ConsumeAnswer;
  usage?: { charge: Consumption; used: number; refusedForQuota: boolean };
}

/** The check and consume APIs for services outside this process: the guard's decisions, over HTTP. */
@Injectable()
export class MeteringService {
  constructor(
    private readonly cache: EntitlementCache,
    private readonly meter: UsageMeter,
    private readonly thresholds: UsageThresholds,
  ) {}

  /** What a request would get, without consuming anything. */
  async check(scope: TenantScope, dto: CheckDto) {
    const snapshot = await this.cache.get(scope.tenantId, scope.env);
    const period = quotaPeriod(snapshot, new Date());
    const { quota, ratePerHour, payg } = meterLimits(snapshot);
    const reading = await this.meter.read({
      tenantId: scope.tenantId,
      env: scope.env,
      meter: dto.meter ?? 'characters',
      periodStart: period.start,
    });
    const remaining = Math.max(quota - reading.used, 0);
    let code: string | null = null;
    if (!isUsable(snapshot)) code = 'subscription_inactive';
    else if (dto.feature && !snapshot.features.has(dto.feature)) code = 'feature_not_in_plan';
    else if (dto.meter && ratePerHour !== null && reading.windowCount >= ratePerHour) code = 'rate_limited';
    else if (dto.meter && !payg && reading.used + (dto.amount ?? 0) > quota) code = 'quota_exceeded';
    return {
      allowed: code === null,
      code,
      limit: quota,
      used: reading.used,
      remaining,
      resets_at: period.end,
      payg_enabled: payg,
    };
  }

  async usage(tenantId: string, env: string) {
    const snapshot = await this.cache.get(tenantId, env);
    const period = quotaPeriod(snapshot, new Date());
    const history = await this.meter.history(tenantId, env, 'characters');
    const used = Number(history.find((row) => row.period_start.getTime() === period.start.getTime())?.used ?? 0);
    const quota = snapshot.plan.monthlyCharacters;
    return {
      meter: 'characters',
      current: {
        period_start: period.start,
        period_end: period.end,
        used,
        limit: quota,
        remaining: Math.max(quota - used, 0),
      },
      periods: history.map((row) => ({ period_start: row.period_start, used: Number(row.used) })),
    };
  }

  /** The guard's semantics for a caller elsewhere: 200, 402 or 429; one key consumes once. */
  async consume(scope: TenantScope, dto: ConsumeDto, requestId: string): Promise<ConsumeAnswer> {
    // Read before the transaction: one connection per request, never two (the pool is shared).
    const snapshot = await this.cache.get(scope.tenantId, scope.env);
    const key = dto.idempotency_key;
    if (!key) return this.settled(await this.decide(snapshot, scope, dto, requestId));
    let fresh: Decision | undefined;
    const { answer, replayed } = await this.meter.once<ConsumeAnswer>(
      scope.tenantId,
      scope.env,
      key,
      async (executor) => {
        fresh = await this.decide(snapshot, scope, dto, key, executor);
        return { status: fresh.answer.status, response: fresh.answer };
      },
    );
    if (replayed || !fresh)
      return { ...answer.response, headers: { ...answer.response.headers, 'idempotent-replayed': 'true' } };
    return this.settled(fresh);
  }

  /** After the consumption is committed: usage may have reached a threshold worth announcing. */
  private settled({ answer, usage }: Decision): ConsumeAnswer {
    if (usage) this.thresholds.observe(usage.charge, usage.used, usage.refusedForQuota);
    return answer;
  }

  private async decide(
    snapshot: EntitlementSnapshot,
    scope: TenantScope,
    dto: ConsumeDto,
    requestKey: string,
    executor?: Executor,
  ): Promise<Decision> {
    if (!isUsable(snapshot))
      return { answer: { status: 402, body: { allowed: false, code: 'subscription_inactive' }, headers: {} } };
    const now = Date.now();
    const period = quotaPeriod(snapshot, new Date(now));
    const limits = meterLimits(snapshot);
    const charge = {
      tenantId: scope.tenantId,
      env: scope.env,
      meter: dto.meter,
      periodStart: period.start,
      cost: dto.amount,
      limits,
      requestKey: `consume:${scope.tenantId}:${requestKey}:${now}`,
      now,
    };
    const result = await this.meter.consume(charge, executor);
    const headers = meteringHeaders(limits, result, dto.amount, period.end, now);
    const body = {
      allowed: result.allowed,
      used: result.used,
      limit: limits.quota,
      remaining: Math.max(limits.quota - result.used, 0),
      resets_at: period.end,
    };
    const usage = { charge, used: result.used, refusedForQuota: !result.allowed && result.reason === 'quota' };
    if (result.allowed) return { answer: { status: 200, body: { ...body, code: null }, headers }, usage };
    if (result.reason === 'rate')
      return {
        answer: {
          status: 429,
          body: { ...body, code: 'rate_limited' },
          headers: { ...headers, 'retry-after': headers['ratelimit-reset'] },
        },
      };
    return { answer: { status: 402, body: { ...body, code: 'quota_exceeded' }, headers }, usage };
  }
}
