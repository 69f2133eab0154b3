import { type MeterLimits, secondsUntilWindowEnds } from '../usage/quota-math.js';
import type { MeterReading } from '../usage/usage-meter.js';

/** X-Credits-* for the quota, RateLimit-* (IETF draft) for the hourly window; unlimited plans send no RateLimit-*. */
export function meteringHeaders(
  limits: MeterLimits,
  reading: MeterReading,
  cost: number,
  periodEnd: Date,
  now: number,
): Record<string, string> {
  const headers: Record<string, string> = {
    'x-credits-total': String(limits.quota),
    'x-credits-used': String(reading.used),
    'x-credits-remaining': String(Math.max(limits.quota - reading.used, 0)),
    'x-credits-cost': String(cost),
    'x-credits-reset': periodEnd.toISOString(),
  };
  if (limits.ratePerHour !== null) {
    headers['ratelimit-limit'] = String(limits.ratePerHour);
    headers['ratelimit-remaining'] = String(Math.max(limits.ratePerHour - reading.windowCount, 0));
    headers['ratelimit-reset'] = String(Math.max(0, secondsUntilWindowEnds(reading.windowStart, now)));
  }
  return headers;
}
