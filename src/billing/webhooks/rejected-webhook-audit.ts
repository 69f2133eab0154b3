import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { AuditTrail } from '../../common/events/audit-trail.js';
import { clientKey } from '../../identity/auth/client-address.js';
import { WEBHOOK_TIMINGS, type WebhookTimings } from './webhook-timings.js';

export type RejectionReason = 'missing' | 'invalid' | 'expired';

/** What one source sent since its last audit row. */
interface SourceWindow {
  writtenAt: number;
  count: number;
  reasons: Partial<Record<RejectionReason, number>>;
  firstAt?: number;
  lastAt?: number;
}

/**
 * Past this many sources in one window (a flood spread over many addresses), the rest share one
 * row: the table refuses DELETE, so a botnet must not be able to write a row per address.
 */
const MAX_SOURCES = 100;
const OTHER_SOURCES = 'other';

/**
 * Refused deliveries go to the append-only audit log as at most one row per source address per
 * window (a minute): the first refusal at once, the ones after it as a count in the next row. A
 * flood of bad signatures therefore costs a row a minute, not a row a request; the metric counts
 * every one. What is still pending at shutdown is written then.
 */
@Injectable()
export class RejectedWebhookAudit implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('StripeWebhook');
  private readonly sources = new Map<string, SourceWindow>();
  private readonly writes = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly audit: AuditTrail,
    private readonly cls: ClsService,
    @Inject(WEBHOOK_TIMINGS) private readonly timings: WebhookTimings,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flush(true);
    await Promise.all(this.writes);
  }

  /** `address`: the client's (TRUST_PROXY resolved); an IPv6 /64 counts as one source, as for the rate limits. */
  record(address: string, reason: RejectionReason): void {
    const source = clientKey(address);
    const now = Date.now();
    const key = this.sources.has(source) || this.sources.size < MAX_SOURCES ? source : OTHER_SOURCES;
    const window = this.sources.get(key);
    if (!window || (window.count === 0 && now - window.writtenAt >= this.timings.rejectionAuditWindowMs)) {
      this.sources.set(key, { writtenAt: now, count: 0, reasons: {} });
      this.write(key, { writtenAt: now, count: 1, reasons: { [reason]: 1 }, firstAt: now, lastAt: now });
      return;
    }
    window.count++;
    window.reasons[reason] = (window.reasons[reason] ?? 0) + 1;
    window.firstAt ??= now;
    window.lastAt = now;
  }

  /** Writes a row for every source whose window has passed (or every source, at shutdown); forgets idle ones. */
  private flush(all = false): void {
    const now = Date.now();
    for (const [source, window] of this.sources) {
      const due = now - window.writtenAt >= this.timings.rejectionAuditWindowMs;
      if (window.count === 0) {
        if (due) this.sources.delete(source);
        continue;
      }
      if (!due && !all) continue;
      this.write(source, { ...window });
      this.sources.set(source, { writtenAt: now, count: 0, reasons: {} });
    }
  }

  private write(source: string, summary: SourceWindow): void {
    const written = this.cls
      .run(() =>
        this.audit.record({
          action: 'webhook.signature_failed',
          actor: { type: 'system' },
          metadata: {
            source,
            count: summary.count,
            reasons: summary.reasons,
            first_at: new Date(summary.firstAt!).toISOString(),
            last_at: new Date(summary.lastAt!).toISOString(),
          },
        }),
      )
      .catch((error: unknown) => {
        // Kept for the next window, and logged, so a database outage loses no count.
        this.restore(source, summary);
        this.logger.warn(
          { source, count: summary.count, reasons: summary.reasons, err: error },
          'could not audit refused Stripe webhook deliveries; kept for the next summary',
        );
      })
      .finally(() => this.writes.delete(written));
    this.writes.add(written);
  }

  private restore(source: string, summary: SourceWindow): void {
    const window = this.sources.get(source) ?? { writtenAt: 0, count: 0, reasons: {} };
    window.count += summary.count;
    for (const [reason, n] of Object.entries(summary.reasons) as Array<[RejectionReason, number]>)
      window.reasons[reason] = (window.reasons[reason] ?? 0) + n;
    window.firstAt = Math.min(window.firstAt ?? summary.firstAt!, summary.firstAt!);
    window.lastAt = Math.max(window.lastAt ?? summary.lastAt!, summary.lastAt!);
    this.sources.set(source, window);
  }

  /** Checks every second (or quarter-window, if shorter): a summary is at most that late. */
  private schedule(): void {
    this.timer = setTimeout(
      () => {
        this.flush();
        this.schedule();
      },
      Math.max(10, Math.min(1_000, this.timings.rejectionAuditWindowMs / 4)),
    );
    this.timer.unref();
  }
}
