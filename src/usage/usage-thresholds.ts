import { Injectable, Logger } from '@nestjs/common';
import { BillingEventPublisher } from '../common/events/billing-event.js';
import type { Consumption } from './usage-meter.js';

/** Percentages of the monthly quota that the billing event stream announces. */
const USAGE_THRESHOLDS = [80, 100] as const;

/** Announcements kept in memory so a tenant above a threshold costs one lookup per request. */
const MEMO_LIMIT = 50_000;
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 60_000;

/**
 * The thresholds usage stands at. A request refused for the quota once usage is past 80% counts
 * as 100%: requests have started to fail. One refused at low usage was only too big for the plan.
 */
export function reachedThresholds(used: number, quota: number, refusedForQuota = false): number[] {
  // The common case, below the lowest threshold: nothing to allocate.
  if (quota <= 0 || used * 100 < quota * USAGE_THRESHOLDS[0]) return [];
  const past = (percent: number) => used * 100 >= quota * percent;
  return USAGE_THRESHOLDS.filter((percent) => past(percent) || (percent === 100 && refusedForQuota && past(80)));
}

/** Where one announcement stands: being published, published, or failed and waiting to be tried again. */
type Announcement = 'pending' | 'announced' | { attempts: number; retryAt: number };

/**
 * Announces 80% and 100% of the quota on the billing event stream, once per period and quota (the
 * event's dedupe key, so whichever instance sees it first), after the request that got there has
 * succeeded (a refunded request announces nothing). Level-triggered: a failed publish is tried
 * again, with backoff, by a later request above the threshold. Never on the request's path.
 */
@Injectable()
export class UsageThresholds {
  private readonly logger = new Logger('UsageThresholds');
  private readonly announcements = new Map<string, Announcement>();

  constructor(private readonly events: BillingEventPublisher) {}

  observe(
    charge: Pick<Consumption, 'tenantId' | 'env' | 'meter' | 'periodStart' | 'limits'>,
    used: number,
    refusedForQuota = false,
  ): void {
    const { tenantId, env, meter, periodStart, limits } = charge;
    const reached = reachedThresholds(used, limits.quota, refusedForQuota);
    if (reached.length === 0) return;
    const period = periodStart.toISOString();
    for (const percent of reached) {
      const key = `usage:${tenantId}:${env}:${meter}:${period}:${limits.quota}:${percent}`;
      const state = this.announcements.get(key);
      if (state === 'pending' || state === 'announced' || (state && state.retryAt > Date.now())) continue;
      const attempts = state ? state.attempts : 0;
      this.remember(key, 'pending');
      this.events
        .publish({
          tenantId,
          env,
          type: 'usage.threshold_reached',
          data: {
            meter,
            threshold_percent: percent,
            used,
            limit: limits.quota,
            period_start: period,
            payg_enabled: limits.payg,
          },
          dedupeKey: key,
        })
        .then(() => this.remember(key, 'announced'))
        .catch((error: unknown) => this.failed(key, attempts + 1, error, { tenantId, env, percent }));
    }
  }

  private failed(key: string, attempts: number, error: unknown, context: Record<string, unknown>): void {
    this.remember(key, { attempts, retryAt: Date.now() + Math.min(RETRY_BASE_MS * 2 ** (attempts - 1), RETRY_MAX_MS) });
    this.logger.warn(
      { err: error, ...context, attempts },
      'could not publish a usage threshold event; a later request will try again',
    );
  }

  /** Bounded: past the limit the memory starts afresh, and the event's dedupe key still keeps each announcement single. */
  private remember(key: string, state: Announcement): void {
    if (!this.announcements.has(key) && this.announcements.size >= MEMO_LIMIT) this.announcements.clear();
    this.announcements.set(key, state);
  }
}
