import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import type { Actor } from '../identity/auth/auth-context.js';
import { rateLimited } from '../common/errors/common.errors.js';
import { AppConfig } from '../config/app-config.js';
import { RATE_LIMITED } from '../observability/rate-limit-metrics.js';

/** No stream is due to end at any known time: a short wait, then try again. */
const RETRY_AFTER_MS = 10_000;

/**
 * Open GET /billing/stream connections per credential (an API key, or a user whatever token they
 * sent) on this instance: BILLING_STREAM_MAX_PER_CREDENTIAL at once, the next refused with 429.
 */
@Injectable()
export class StreamSlots {
  private readonly held = new Map<string, number>();

  constructor(
    private readonly config: AppConfig,
    @InjectMetric(RATE_LIMITED) private readonly refused: Counter<string>,
  ) {
    refused.inc({ limit: 'stream' }, 0);
  }

  /**
   * Holds a slot for `actor` until `ended` aborts, which Nest does once the stream is over however
   * it ends (the client left, the stream completed or failed, or setup failed first).
   */
  take(actor: Actor, ended: AbortSignal): void {
    if (ended.aborted) return;
    const credential = `${actor.type}:${actor.id}`;
    const held = this.held.get(credential) ?? 0;
    const max = this.config.streamMaxPerCredential;
    if (held >= max) {
      this.refused.inc({ limit: 'stream' });
      throw rateLimited(`At most ${max} streams may be open at once for one API key or user.`, RETRY_AFTER_MS);
    }
    this.held.set(credential, held + 1);
    ended.addEventListener('abort', () => this.release(credential), { once: true });
  }

  private release(credential: string): void {
    const held = (this.held.get(credential) ?? 1) - 1;
    if (held > 0) this.held.set(credential, held);
    else this.held.delete(credential);
  }
}
