import type { Consumption } from '../usage/usage-meter.service.js';

/** What a metered request consumed, kept on the request so a failed handler can be refunded. */
export const METER_CHARGE = Symbol('meterCharge');

export type MeterCharge = Consumption & { windowStart?: Date };
