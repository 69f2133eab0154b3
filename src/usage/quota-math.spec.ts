import fc from 'fast-check';
import { type CounterState, decide, hourWindowStart, type MeterLimits, overageOf } from './quota-math.js';

const limits = fc.record({
  quota: fc.integer({ min: 0, max: 1_000_000 }),
  ratePerHour: fc.option(fc.integer({ min: 1, max: 1_000 }), { nil: null }),
  payg: fc.boolean(),
});
const costs = fc.array(fc.integer({ min: 0, max: 5_000 }), { maxLength: 200 });

/** Runs requests one after another through the rules, as the database serialises them on one row. */
function run(l: MeterLimits, sequence: number[], window = 0) {
  let state: CounterState = { used: 0, windowStart: window, windowCount: 0 };
  const decisions = sequence.map((cost) => {
    const decision = decide(state, cost, l, window);
    if (decision.allowed) state = { used: decision.used, windowStart: window, windowCount: decision.windowCount };
    return { cost, decision };
  });
  return { state, decisions };
}

describe('quota arithmetic', () => {
  it('never lets usage pass the quota without PAYG', () => {
    fc.assert(fc.property(limits, costs, (l, sequence) => run({ ...l, payg: false }, sequence).state.used <= l.quota));
  });

  it('counts exactly the cost of every allowed request, nothing of refused ones', () => {
    fc.assert(
      fc.property(limits, costs, (l, sequence) => {
        const { state, decisions } = run(l, sequence);
        return state.used === decisions.filter((d) => d.decision.allowed).reduce((sum, d) => sum + d.cost, 0);
      }),
    );
  });

  it('never allows more requests in an hour than the rate limit', () => {
    fc.assert(
      fc.property(
        limits,
        costs,
        (l, sequence) => l.ratePerHour === null || run(l, sequence).state.windowCount <= l.ratePerHour,
      ),
    );
  });

  it('bills as overage exactly the usage past the quota, once', () => {
    fc.assert(
      fc.property(limits, costs, (l, sequence) => {
        const { state, decisions } = run({ ...l, payg: true }, sequence);
        const billed = decisions.reduce((sum, d) => sum + (d.decision.allowed ? d.decision.overage : 0), 0);
        return billed === Math.max(0, state.used - l.quota);
      }),
    );
  });

  it('refuses for the rate before the quota, so a 429 never hides a 402 the caller could fix by waiting', () => {
    const decision = decide(
      { used: 100, windowStart: 0, windowCount: 5 },
      10,
      { quota: 100, ratePerHour: 5, payg: false },
      0,
    );
    expect(decision).toMatchObject({ allowed: false, reason: 'rate' });
  });

  it('starts a new hourly window at zero', () => {
    const decision = decide(
      { used: 0, windowStart: 0, windowCount: 10 },
      1,
      { quota: 100, ratePerHour: 10, payg: false },
      3_600_000,
    );
    expect(decision).toMatchObject({ allowed: true, windowCount: 1 });
  });

  it('puts every moment in the hour that contains it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), (at) => {
        const start = hourWindowStart(at);
        return start <= at && at < start + 3_600_000 && start % 3_600_000 === 0;
      }),
    );
  });

  it('bills no more overage than a request costs', () => {
    fc.assert(fc.property(fc.nat(), fc.nat(), fc.nat(), (used, cost, quota) => overageOf(used, cost, quota) <= cost));
  });
});
