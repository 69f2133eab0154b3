import type { Consumption } from '../usage/usage-meter.js';

/** What a metered request consumed, kept on the request: refunded if the handler fails, announced if usage reached a threshold. */
export const METER_CHARGE = Symbol('meterCharge');

export type MeterCharge = Consumption & { used: number };
