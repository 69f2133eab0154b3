import { hourWindowStart, type MeterLimits } from './quota-math.js';

export interface Consumption {
  tenantId: string;
  env: string;
  meter: string;
  periodStart: Date;
  cost: number;
  limits: MeterLimits;
  /** Unique per request with PAYG (null without): names the overage row, so a refund can take it back. */
  requestKey: string | null;
  now: number;
}

export interface MeterReading {
  used: number;
  windowStart: Date;
  windowCount: number;
}

export type ConsumeResult = ({ allowed: true } | { allowed: false; reason: 'rate' | 'quota' }) & MeterReading;

export interface ConsumeUsageRow {
  allowed: boolean;
  reason: 'rate' | 'quota' | null;
  used: string;
  window_count: number;
}

/** The counter row a request counts on. */
export const counterKey = (c: Consumption) => `${c.tenantId}|${c.env}|${c.meter}|${c.periodStart.getTime()}`;

/** The batch as consume_usage()'s arguments: its distinct counter rows, then each request (in order) with its row's index. */
export function consumeUsageValues(requests: readonly Consumption[]): unknown[] {
  const slots = new Map<string, number>();
  const keys: Consumption[] = [];
  const slot = requests.map((request) => {
    const key = counterKey(request);
    let at = slots.get(key);
    if (at === undefined) {
      at = keys.push(request);
      slots.set(key, at);
    }
    return at;
  });
  return [
    keys.map((c) => c.tenantId),
    keys.map((c) => c.env),
    keys.map((c) => c.meter),
    keys.map((c) => c.periodStart.toISOString()),
    slot,
    requests.map((c) => c.cost),
    requests.map((c) => new Date(hourWindowStart(c.now)).toISOString()),
    requests.map((c) => c.limits.ratePerHour),
    requests.map((c) => c.limits.payg),
    requests.map((c) => c.limits.quota),
    requests.map((c) => c.requestKey),
  ];
}

/** One request's outcome; its window is the hour it was made in, whether or not it was allowed. */
export function consumeResultOf(row: ConsumeUsageRow, request: Consumption): ConsumeResult {
  const reading = {
    used: Number(row.used),
    windowStart: new Date(hourWindowStart(request.now)),
    windowCount: row.window_count,
  };
  return row.allowed ? { allowed: true, ...reading } : { allowed: false, reason: row.reason!, ...reading };
}
