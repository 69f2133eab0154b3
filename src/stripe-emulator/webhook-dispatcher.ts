import type { StripeObject } from './store.js';
import { signPayload } from './webhook-signature.js';

export interface DeliveryRecord {
  event_id: string;
  type: string;
  endpoint: string;
  url: string;
  attempt: number;
  status: number | null;
  error?: string;
  at: string;
}

/** For tests of our webhook handling: duplicate every delivery, shuffle their order, delay them. */
export interface ChaosOptions {
  duplicate?: boolean;
  shuffle?: boolean;
  delay_ms?: number;
}

export interface DispatcherOptions {
  /** First retry after this many ms, doubling each time (Stripe waits hours; tests want ms). */
  retryBaseMs?: number;
  maxAttempts?: number;
  timeoutMs?: number;
}

interface Delivery {
  event: StripeObject;
  endpoint: StripeObject;
  attempt: number;
}

const SHUFFLE_WINDOW_MS = 100;

/** Delivers events to webhook endpoints, signed as Stripe signs, retrying non-2xx with backoff. */
export class WebhookDispatcher {
  readonly deliveries: DeliveryRecord[] = [];
  chaos: ChaosOptions = {};
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private shuffleBuffer: Delivery[] = [];
  private stopped = false;

  constructor(private readonly options: DispatcherOptions = {}) {}

  dispatch(event: StripeObject, endpoints: StripeObject[]): void {
    for (const endpoint of endpoints) {
      const copies = this.chaos.duplicate ? 2 : 1;
      for (let i = 0; i < copies; i++) this.schedule({ event, endpoint, attempt: 1 }, 0);
    }
  }

  /** Resolves once nothing is queued or in flight (retries still waiting count as queued). */
  async idle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0 || this.timers.size > 0 || this.shuffleBuffer.length > 0) {
      if (Date.now() > deadline) throw new Error('webhook deliveries did not settle');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.shuffleBuffer = [];
  }

  private schedule(delivery: Delivery, delayMs: number): void {
    if (this.stopped) return;
    if (this.chaos.shuffle && delivery.attempt === 1) {
      this.shuffleBuffer.push(delivery);
      if (this.shuffleBuffer.length === 1) this.later(() => this.flushShuffled(), SHUFFLE_WINDOW_MS);
      return;
    }
    const jitter = this.chaos.delay_ms ? Math.floor(Math.random() * this.chaos.delay_ms) : 0;
    this.later(() => void this.attempt(delivery), delayMs + jitter);
  }

  private flushShuffled(): void {
    const batch = this.shuffleBuffer.splice(0).sort(() => Math.random() - 0.5);
    for (const delivery of batch)
      this.later(() => void this.attempt(delivery), this.chaos.delay_ms ? Math.random() * this.chaos.delay_ms : 0);
  }

  private later(run: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const { event, endpoint, attempt } = delivery;
    const payload = JSON.stringify(event, null, 2);
    const record: DeliveryRecord = {
      event_id: event.id,
      type: event.type,
      endpoint: endpoint.id,
      url: endpoint.url,
      attempt,
      status: null,
      at: new Date().toISOString(),
    };
    this.inFlight++;
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'stripe-signature': signPayload(payload, endpoint.secret),
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        },
        body: payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      record.status = response.status;
      await response.arrayBuffer();
    } catch (error) {
      record.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.inFlight--;
    }
    this.deliveries.push(record);
    const succeeded = record.status !== null && record.status >= 200 && record.status < 300;
    if (!succeeded && attempt < (this.options.maxAttempts ?? 8)) {
      this.schedule({ ...delivery, attempt: attempt + 1 }, (this.options.retryBaseMs ?? 1_000) * 2 ** (attempt - 1));
    }
  }
}
