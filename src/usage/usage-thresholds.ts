import { Injectable, Logger } from '@nestjs/common';
import { BillingEvents } from '../audit/stream/billing-events.service.js';
import type { Consumption } from './usage-meter.service.js';

/** Percentages of the monthly quota that the billing event stream announces. */
export const USAGE_THRESHOLDS = [80, 100] as const;

/** The thresholds that usage going from `before` to `after` crossed. */
export function crossedThresholds(before: number, after: number, quota: number): number[] {
  if (quota <= 0) return [];
  return USAGE_THRESHOLDS.filter((percent) => before * 100 < quota * percent && after * 100 >= quota * percent);
}

/**
 * Announces 80% and 100% of the quota on the billing event stream, once per period (the event's
 * dedupe key), whichever instance's request crossed it. Off the request path: a request never waits
 * for it, and a failure is logged, never the request's.
 */
@Injectable()
export class UsageThresholds {
  private readonly logger = new Logger('UsageThresholds');

  constructor(private readonly events: BillingEvents) {}

  observe(input: Consumption, used: number): void {
    const { tenantId, env, meter, periodStart, limits } = input;
    for (const percent of crossedThresholds(used - input.cost, used, limits.quota)) {
      const period = periodStart.toISOString();
      this.events
        .publish({
          tenantId,
          env,
          type: 'usage.threshold_reached',
          data: { meter, threshold_percent: percent, used, limit: limits.quota, period_start: period, payg_enabled: limits.payg },
          dedupeKey: `usage:${tenantId}:${env}:${meter}:${period}:${percent}`,
        })
        .catch((error: unknown) => this.logger.warn({ err: error, tenantId, env, percent }, 'could not publish a usage threshold event'));
    }
  }
}
