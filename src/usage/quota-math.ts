/** The rules the metering statement applies inside Postgres, as plain functions to reason and test with. */

export interface MeterLimits {
  /** Units per period. */
  quota: number;
  /** Requests per hour; null is unlimited. */
  ratePerHour: number | null;
  /** Pay-as-you-go: past the quota is allowed and billed as overage. */
  payg: boolean;
}

export interface CounterState {
  used: number;
  windowStart: number;
  windowCount: number;
}

export type Decision =
  | { allowed: true; used: number; windowCount: number; overage: number }
  | { allowed: false; reason: 'rate' | 'quota'; used: number; windowCount: number };

const HOUR_MS = 3_600_000;

/** The UTC hour a moment falls in: the rate-limit window. */
export const hourWindowStart = (at: number) => Math.floor(at / HOUR_MS) * HOUR_MS;

/** Seconds from `now` until the hourly window that began at `windowStart` ends (rounded up). */
export const secondsUntilWindowEnds = (windowStart: Date, now: number) =>
  Math.ceil((windowStart.getTime() + HOUR_MS - now) / 1000);

/** The units of a request past the quota: what PAYG bills, never more than the request's cost. */
export const overageOf = (usedBefore: number, cost: number, quota: number) =>
  Math.max(0, Math.min(cost, usedBefore + cost - quota));

export function decide(state: CounterState, cost: number, limits: MeterLimits, windowStart: number): Decision {
  const windowCount = state.windowStart === windowStart ? state.windowCount : 0;
  if (limits.ratePerHour !== null && windowCount >= limits.ratePerHour)
    return { allowed: false, reason: 'rate', used: state.used, windowCount };
  if (!limits.payg && state.used + cost > limits.quota)
    return { allowed: false, reason: 'quota', used: state.used, windowCount };
  return {
    allowed: true,
    used: state.used + cost,
    windowCount: windowCount + 1,
    overage: limits.payg ? overageOf(state.used, cost, limits.quota) : 0,
  };
}
