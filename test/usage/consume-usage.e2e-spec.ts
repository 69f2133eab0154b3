import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  consumeResultOf,
  type Consumption,
  type ConsumeUsageRow,
  consumeUsageValues,
} from '../../src/usage/consumption.js';
import { CONSUME_USAGE } from '../../src/usage/usage.repository.js';
import { type CounterState, decide, hourWindowStart } from '../../src/usage/quota-math.js';
import { createTestDatabase } from '../support/test-database.js';

const HOUR = 3_600_000;
const BASE = Date.UTC(2026, 0, 1);
const PERIODS = [new Date(BASE), new Date(Date.UTC(2026, 1, 1))];
const METERS = ['characters', 'images'];

/** consume_usage() is the rule book on the request path; decide() is the same rules as plain code. */
describe('consume_usage(): one statement decides a batch of metered requests', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  let tenants: string[];

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = new pg.Pool({ connectionString: database.url, max: 8 });
    // pool.end() resolves before every socket has closed; dropping the database then ends those sessions.
    pool.on('error', (error: Error & { code?: string }) => {
      if (error.code !== '57P01') throw error;
    });
    const { rows } = await pool.query<{ id: string }>(
      "INSERT INTO tenants (name) SELECT 'consume ' || i FROM generate_series(1, 3) AS i RETURNING id",
    );
    tenants = rows.map((row) => row.id);
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  const run = async (batch: Consumption[], client: pg.Pool | pg.PoolClient = pool) => {
    const { rows } = await client.query<ConsumeUsageRow>({ ...CONSUME_USAGE, values: consumeUsageValues(batch) });
    return rows.map((row, i) => consumeResultOf(row, batch[i]));
  };

  const request = fc.record({
    tenant: fc.integer({ min: 0, max: 2 }),
    meter: fc.constantFrom(...METERS),
    period: fc.constantFrom(0, 1),
    hour: fc.constantFrom(0, 1),
    cost: fc.integer({ min: 0, max: 400 }),
    quota: fc.integer({ min: 0, max: 2_000 }),
    ratePerHour: fc.option(fc.integer({ min: 1, max: 12 }), { nil: null }),
    payg: fc.boolean(),
  });
  type Drawn = typeof request extends fc.Arbitrary<infer T> ? T : never;
  const consumptionOf = (r: Drawn): Consumption => ({
    tenantId: tenants[r.tenant],
    env: 'test',
    meter: r.meter,
    periodStart: PERIODS[r.period],
    cost: r.cost,
    limits: { quota: r.quota, ratePerHour: r.ratePerHour, payg: r.payg },
    // As the guard does: only PAYG requests can leave an overage row to name.
    requestKey: r.payg ? randomUUID() : null,
    now: BASE + r.hour * HOUR + 1_234,
  });
  const keyOf = (c: Consumption) => `${c.tenantId}|${c.meter}|${c.periodStart.getTime()}`;

  it('decides every request as decide() would, in arrival order, and writes the counters and overage it decided', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(request, { minLength: 1, maxLength: 25 }), { minLength: 1, maxLength: 6 }),
        async (drawn) => {
          await pool.query('TRUNCATE usage_counters, overage_outbox');
          // Rows the database has not seen start as its column defaults: nothing used, the epoch's window.
          const model = new Map<string, CounterState>();
          const expectedOverage = new Map<string, number>();
          for (const batch of drawn.map((requests) => requests.map(consumptionOf))) {
            const results = await run(batch);
            batch.forEach((c, i) => {
              const state = model.get(keyOf(c)) ?? { used: 0, windowStart: 0, windowCount: 0 };
              const window = hourWindowStart(c.now);
              const decision = decide(state, c.cost, c.limits, window);
              const { allowed, used, windowCount } = decision;
              expect(results[i]).toEqual({
                allowed,
                used,
                windowCount,
                windowStart: new Date(window),
                ...(decision.allowed ? {} : { reason: decision.reason }),
              });
              if (!decision.allowed) return;
              model.set(keyOf(c), { used: decision.used, windowStart: window, windowCount: decision.windowCount });
              if (decision.overage > 0) expectedOverage.set(c.requestKey!, decision.overage);
            });
          }
          const counters = await pool.query<{
            tenant_id: string;
            meter: string;
            period_start: Date;
            used: string;
            window_start: Date;
            window_count: number;
          }>('SELECT tenant_id, meter, period_start, used, window_start, window_count FROM usage_counters');
          const stored = new Map(
            counters.rows.map((r) => [
              `${r.tenant_id}|${r.meter}|${r.period_start.getTime()}`,
              { used: Number(r.used), windowStart: r.window_start.getTime(), windowCount: r.window_count },
            ]),
          );
          for (const [key, state] of model) expect(stored.get(key)).toEqual(state);
          const outbox = await pool.query<{ request_key: string; quantity: string }>(
            'SELECT request_key, quantity FROM overage_outbox',
          );
          expect(new Map(outbox.rows.map((r) => [r.request_key, Number(r.quantity)]))).toEqual(expectedOverage);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('returns the result rows in the order the requests were given', async () => {
    await pool.query('TRUNCATE usage_counters, overage_outbox');
    const limits = { quota: 1_000, ratePerHour: null, payg: false };
    const batch = [5, 7, 11, 13].map((cost, i): Consumption => ({
      tenantId: tenants[i % 2],
      env: 'test',
      meter: 'characters',
      periodStart: PERIODS[0],
      cost,
      limits,
      requestKey: randomUUID(),
      now: BASE,
    }));
    expect((await run(batch)).map((r) => r.used)).toEqual([5, 7, 16, 20]);
  });

  it('never deadlocks nor loses a unit when batches on many connections lock overlapping rows in any order', async () => {
    await pool.query('TRUNCATE usage_counters, overage_outbox');
    const keys = tenants.flatMap((tenantId) =>
      METERS.flatMap((meter) => PERIODS.map((periodStart) => ({ tenantId, meter, periodStart }))),
    );
    const limits = { quota: 1_000_000_000, ratePerHour: null, payg: false };
    const expected = new Map<string, number>();
    // Seeded, so a failure can be run again exactly.
    const series = fc.array(
      fc.array(fc.record({ key: fc.nat(keys.length - 1), cost: fc.integer({ min: 1, max: 50 }) }), {
        minLength: 1,
        maxLength: 10,
      }),
      { minLength: 25, maxLength: 25 },
    );
    const batches = fc.sample(series, { seed: 20_261_121, numRuns: 8 }).map((connectionSeries) =>
      connectionSeries.map((batch) =>
        batch.map(({ key, cost }): Consumption => {
          const consumption = { ...keys[key], env: 'test', cost, limits, requestKey: randomUUID(), now: BASE };
          expected.set(keyOf(consumption), (expected.get(keyOf(consumption)) ?? 0) + cost);
          return consumption;
        }),
      ),
    );
    // Eight connections at once, each running its batches one after another: rows created and locked concurrently.
    await Promise.all(
      batches.map(async (series) => {
        const client = await pool.connect();
        try {
          for (const batch of series) expect((await run(batch, client)).every((r) => r.allowed)).toBe(true);
        } finally {
          client.release();
        }
      }),
    );
    const { rows } = await pool.query<{ tenant_id: string; meter: string; period_start: Date; used: string }>(
      'SELECT tenant_id, meter, period_start, used FROM usage_counters',
    );
    expect(new Map(rows.map((r) => [`${r.tenant_id}|${r.meter}|${r.period_start.getTime()}`, Number(r.used)]))).toEqual(
      expected,
    );
  });
});
