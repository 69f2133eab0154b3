import { Injectable, Logger } from '@nestjs/common';
import { BillingEvents } from '../audit/stream/billing-events.service.js';
import type { Consumption } from './usage-meter.service.js';

/** Percentages of the monthly quota that the billing event stream announces. */
export const USAGE_THRESHOLDS = [80, 100] as const;

/** Announcements kept in memory so a tenant above a threshold costs one lookup per request. */
const MEMO_LIMIT = 50_000;
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 60_000;

/**
 * The thresholds usage stands at. A request refused for the quota once usage is past 80% counts
 * as 100%: requests have started to fail. One refused at low usage was only too big for the plan.
 */
export function reachedThresholds(used: number, quota: number, refusedForQuota = false): number[] {
  if (quota <= 0) return [];
  const past = (percent: number) => used * 100 >= quota * percent;
  return USAGE_THRESHOLDS.filter((percent) => past(percent) || (percent === 100 && refusedForQuota && past(80)));
}

/**
 * Announces 80% and 100% of the quota on the billing event stream, once per period and quota (the
 * event's dedupe key, so whichever instance sees it first), after the request that got there has
 * succeeded (a refunded request announces nothing). Level-triggered: a failed publish is tried
 * again, with backoff, by a later request above the threshold. Never on the request's path.
 */
@Injectable()
export class UsageThresholds {
  private readonly logger = new Logger('UsageThresholds');
  private readonly announced = new Set<string>();
  private readonly pending = new Set<string>();
  private readonly failures = new Map<string, { attempts: number; retryAt: number }>();

  constructor(private readonly events: BillingEvents) {}

  observe(charge: Pick<Consumption, 'tenantId' | 'env' | 'meter' | 'periodStart' | 'limits'>, used: number, refusedForQuota = false): void {
    const { tenantId, env, meter, periodStart, limits } = charge;
    for (const percent of reachedThresholds(used, limits.quota, refusedForQuota)) {
      const period = periodStart.toISOString();
      const key = `usage:${tenantId}:${env}:${meter}:${period}:${limits.quota}:${percent}`;
      if (this.announced.has(key) || this.pending.has(key) || (this.failures.get(key)?.retryAt ?? 0) > Date.now()) continue;
      this.pending.add(key);
      this.events
        .publish({
          tenantId,
          env,
          type: 'usage.threshold_reached',
          data: { meter, threshold_percent: percent, used, limit: limits.quota, period_start: period, payg_enabled: limits.payg },
          dedupeKey: key,
        })
        .then(() => this.succeeded(key))
        .catch((error: unknown) => this.failed(key, error, { tenantId, env, percent }))
        .finally(() => this.pending.delete(key));
    }
  }

  private succeeded(key: string): void {
    this.failures.delete(key);
    if (this.announced.size >= MEMO_LIMIT) this.announced.clear();
    this.announced.add(key);
  }

  private failed(key: string, error: unknown, context: Record<string, unknown>): void {
    const attempts = (this.failures.get(key)?.attempts ?? 0) + 1;
    if (this.failures.size >= MEMO_LIMIT) this.failures.clear();
    this.failures.set(key, { attempts, retryAt: Date.now() + Math.min(RETRY_BASE_MS * 2 ** (attempts - 1), RETRY_MAX_MS) });
    this.logger.warn({ err: error, ...context, attempts }, 'could not publish a usage threshold event; a later request will try again');
  }
}
