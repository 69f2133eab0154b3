export interface MicroBatcherOptions<T> {
  maxBatch: number;
  /** Batches being run at once; further items wait for the next free slot. */
  maxInFlight: number;
  /** Items with the same key never run in two batches at once: they wait and go together. */
  exclusiveKey?: (item: T) => string;
}

interface Waiting<T, R> {
  item: T;
  key: string | undefined;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Gathers what callers submit in the same moment into batches, runs each with one call, and hands
 * every caller its own result (or the batch's error). Each caller still waits for its own outcome.
 */
export class MicroBatcher<T, R> {
  private queue: Array<Waiting<T, R>> = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly busyKeys = new Set<string>();

  constructor(
    private readonly run: (batch: T[]) => Promise<R[]>,
    private readonly options: MicroBatcherOptions<T>,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, key: this.options.exclusiveKey?.(item), resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.take();
      if (batch.length > 0) void this.flush(batch);
    });
  }

  private take(): Array<Waiting<T, R>> {
    const batch: Array<Waiting<T, R>> = [];
    const keys = new Set<string>();
    this.queue = this.queue.filter((waiting) => {
      const { key } = waiting;
      if (batch.length >= this.options.maxBatch || (key !== undefined && this.busyKeys.has(key) && !keys.has(key)))
        return true;
      batch.push(waiting);
      if (key !== undefined) keys.add(key);
      return false;
    });
    for (const key of keys) this.busyKeys.add(key);
    return batch;
  }

  private async flush(batch: Array<Waiting<T, R>>): Promise<void> {
    this.inFlight++;
    try {
      const results = await this.run(batch.map((waiting) => waiting.item));
      batch.forEach((waiting, i) => waiting.resolve(results[i]));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    } finally {
      for (const { key } of batch) if (key !== undefined) this.busyKeys.delete(key);
      this.inFlight--;
      this.schedule();
    }
  }
}
