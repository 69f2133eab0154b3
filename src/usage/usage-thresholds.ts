import { Injectable, Logger } from '@nestjs/common';
import { BillingEvents } from '../audit/stream/billing-events.service.js';
import type { Consumption } from './usage-meter.service.js';

/** Percentages of the monthly quota that the billing event stream announces. */
export const USAGE_THRESHOLDS = [80, 100] as const;

/** Announcements kept in memory so a tenant above a threshold costs one lookup per request. */
const MEMO_LIMIT = 50_000;

/** The thresholds usage stands at: a request refused for the quota means the quota is reached too. */
export function reachedThresholds(used: number, quota: number, refusedForQuota = false): number[] {
  if (quota <= 0) return [];
  return USAGE_THRESHOLDS.filter((percent) => used * 100 >= quota * percent || (percent === 100 && refusedForQuota));
}

/**
 * Announces 80% and 100% of the quota on the billing event stream, once per period and quota (the
 * event's dedupe key, so whichever instance sees it first), after the request that got there has
 * succeeded (a refunded request announces nothing). Level-triggered: a failed publish is tried
 * again by the next request above the threshold. Never on the request's path or its failure.
 */
@Injectable()
export class UsageThresholds {
  private readonly logger = new Logger('UsageThresholds');
  private readonly announced = new Set<string>();
  private readonly pending = new Set<string>();

  constructor(private readonly events: BillingEvents) {}

  observe(charge: Pick<Consumption, 'tenantId' | 'env' | 'meter' | 'periodStart' | 'limits'>, used: number, refusedForQuota = false): void {
    const { tenantId, env, meter, periodStart, limits } = charge;
    for (const percent of reachedThresholds(used, limits.quota, refusedForQuota)) {
      const period = periodStart.toISOString();
      const key = `usage:${tenantId}:${env}:${meter}:${period}:${limits.quota}:${percent}`;
      if (this.announced.has(key) || this.pending.has(key)) continue;
      this.pending.add(key);
      this.events
        .publish({
          tenantId,
          env,
          type: 'usage.threshold_reached',
          data: { meter, threshold_percent: percent, used, limit: limits.quota, period_start: period, payg_enabled: limits.payg },
          dedupeKey: key,
        })
        .then(() => this.remember(key))
        .catch((error: unknown) => this.logger.warn({ err: error, tenantId, env, percent }, 'could not publish a usage threshold event; the next request will try again'))
        .finally(() => this.pending.delete(key));
    }
  }

  private remember(key: string): void {
    if (this.announced.size >= MEMO_LIMIT) this.announced.clear();
    this.announced.add(key);
  }
}
