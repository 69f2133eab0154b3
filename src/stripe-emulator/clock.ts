import { unixNow } from './ids.js';

/**
 * The emulator's time: real time plus an offset that control endpoints move forward, like a
 * Stripe test clock shared by every object.
 */
export class Clock {
  private offsetSeconds = 0;

  /** Told whenever the clock moves, so the offset is persisted with the state it belongs to. */
  constructor(private readonly onMove: (offset: number) => void = () => undefined) {}

  now(): number {
    return unixNow() + this.offsetSeconds;
  }

  advanceTo(timestamp: number): void {
    this.offsetSeconds = Math.max(this.offsetSeconds, timestamp - unixNow());
    this.onMove(this.offsetSeconds);
  }

  get offset(): number {
    return this.offsetSeconds;
  }

  restore(offset: number): void {
    this.offsetSeconds = offset;
  }
}

/** One calendar month after `start`, as Stripe bills monthly (same day, clamped to month end). */
export function addMonth(start: number): number {
  const date = new Date(start * 1000);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + 1);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return Math.floor(date.getTime() / 1000);
}
