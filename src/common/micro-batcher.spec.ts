import { MicroBatcher } from './micro-batcher.js';

describe('MicroBatcher', () => {
  it('runs what arrives together as one batch and gives each caller its own result', async () => {
    const batches: number[][] = [];
    const batcher = new MicroBatcher<number, number>(async (items) => (batches.push(items), items.map((n) => n * 10)), {
      maxBatch: 10,
      maxInFlight: 1,
    });
    expect(await Promise.all([1, 2, 3].map((n) => batcher.submit(n)))).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('splits at maxBatch', async () => {
    const sizes: number[] = [];
    const batcher = new MicroBatcher<number, number>(async (items) => (sizes.push(items.length), items), {
      maxBatch: 2,
      maxInFlight: 4,
    });
    await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(n)));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('rejects every caller of a failed batch, and carries on with the next', async () => {
    let fail = true;
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        if (fail) throw new Error('database down');
        return items;
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    const failed = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await batcher.submit(3)).toBe(3);
  });

  it('never runs two batches holding the same key at once', async () => {
    let running = 0;
    let overlapped = false;
    const batcher = new MicroBatcher<string, string>(
      async (items) => {
        running++;
        if (running > 1) overlapped = true;
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return items;
      },
      { maxBatch: 1, maxInFlight: 4, exclusiveKey: (item) => item },
    );
    await Promise.all(['hot', 'hot', 'hot', 'hot'].map((item) => batcher.submit(item)));
    expect(overlapped).toBe(false);
  });
});
