import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { rowsOf } from '../database/rows-of.js';
import { AppError } from '../common/errors/app-error.js';
import { PlanPrices } from '../billing/stripe/plan-prices.js';
import { StripeGateway } from '../billing/stripe/stripe-gateway.js';
import { RESEND_WITHIN_HOURS, STRIPE_MAX_AGE_DAYS } from './stripe-meter-limits.js';

const EVERY_MS = 2_000;
/** Rows younger than this may still be refunded by a failing request (handlers finish well within it). */
const SETTLE_SECONDS = 60;
const LEASE_SECONDS = 60;
const retryDelaySeconds = (attempts: number) => Math.min(2 ** attempts, 3_600);

/** Stripe's answers that mean it recorded nothing: invalid request, bad credentials. */
const REFUSED = new Set(['stripe_invalid_request', 'stripe_misconfigured']);
const HELD_UNCERTAIN = `held: an attempt may have reached Stripe over ${RESEND_WITHIN_HOURS} hours ago, and Stripe no longer recognises the identifier after 24; check the meter events, then overage:release`;
const HELD_TOO_OLD = `held: older than ${STRIPE_MAX_AGE_DAYS} days, and Stripe takes meter events up to 35 days old; bill it another way, then overage:release --reported`;

interface Report {
  id: string;
  stripe_customer_id: string;
  quantity: string;
  attempts: number;
  created_at: Date;
  /** When an earlier attempt first may have reached Stripe; null if none could have. */
  uncertain_before: Date | null;
}

/**
 * PAYG overage, from the outbox to the Stripe Billing Meter. Rows are grouped into reports per
 * tenant; each report is sent with its own id as the meter event's `identifier`, which Stripe
 * recognises for 24 hours: a report that may have reached Stripe is sent again only within that,
 * and held for an operator after it (as is one too old for Stripe to take), never billed twice.
 */
@Injectable()
export class OverageReporter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Overage');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly dataSource: DataSource,
    @Optional() private readonly gateway?: StripeGateway,
    @Optional() private readonly prices?: PlanPrices,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.gateway) return;
    this.timer = setInterval(() => {
      this.running ??= this.run()
        .catch((error: unknown) => this.logger.error({ err: error }, 'overage round failed; the next one retries'))
        .finally(() => (this.running = undefined));
    }, EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One round: batch what has settled, then send what is due. Returns how many reports were sent. */
  async run(): Promise<number> {
    await this.batch().catch((error: unknown) => this.logger.error({ err: error }, 'could not batch overage'));
    return this.send();
  }

  /** Reports all of one tenant's overage now (before its subscription ends and its last invoice is made). */
  async flush(tenantId: string, env: string): Promise<void> {
    await this.batch({ tenantId, env });
    await this.send({ tenantId, env });
  }

  private async batch(only?: { tenantId: string; env: string }): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const rows: Array<{ id: string; tenant_id: string; env: string; quantity: string; stripe_customer_id: string | null }> = await manager.query(
        `SELECT o.id, o.tenant_id, o.env, o.quantity, c.stripe_customer_id FROM overage_outbox o
         LEFT JOIN billing_customers c ON c.tenant_id = o.tenant_id AND c.env = o.env
         WHERE o.report_id IS NULL AND (o.created_at < now() - make_interval(secs => $1) OR (o.tenant_id = $2 AND o.env = $3))
         ORDER BY o.id LIMIT 5000 FOR UPDATE OF o SKIP LOCKED`,
        [SETTLE_SECONDS, only?.tenantId ?? null, only?.env ?? null],
      );
      const groups = new Map<string, { rows: typeof rows; quantity: number }>();
      for (const row of rows.filter((r) => r.stripe_customer_id)) {
        const key = `${row.tenant_id}:${row.env}`;
        const group = groups.get(key) ?? { rows: [], quantity: 0 };
        group.rows.push(row);
        group.quantity += Number(row.quantity);
        groups.set(key, group);
      }
      for (const group of groups.values()) {
        const id = randomUUID();
        const [first] = group.rows;
        await manager.query('INSERT INTO overage_reports (id, tenant_id, env, stripe_customer_id, quantity) VALUES ($1, $2, $3, $4, $5)', [id, first.tenant_id, first.env, first.stripe_customer_id, group.quantity]);
        await manager.query('UPDATE overage_outbox SET report_id = $1 WHERE id = ANY($2::bigint[])', [id, group.rows.map((r) => r.id)]);
      }
    });
  }

  private async send(only?: { tenantId: string; env: string }): Promise<number> {
    await this.holdUnsendable();
    // Claiming marks the attempt uncertain before it starts: a crash mid-call leaves it so.
    const claimed = rowsOf<Report>(await this.dataSource.query(
      `UPDATE overage_reports r SET attempts = r.attempts + 1, next_attempt_at = now() + make_interval(secs => $1), uncertain_since = coalesce(r.uncertain_since, now())
       FROM (SELECT id, uncertain_since FROM overage_reports WHERE status <> 'reported' AND status <> 'held'
               AND (next_attempt_at <= now() OR (tenant_id = $2 AND env = $3))
             ORDER BY created_at LIMIT 100 FOR UPDATE SKIP LOCKED) due
       WHERE r.id = due.id
       RETURNING r.id, r.stripe_customer_id, r.quantity, r.attempts, r.created_at, due.uncertain_since AS uncertain_before`,
      [LEASE_SECONDS, only?.tenantId ?? null, only?.env ?? null],
    ));
    let sent = 0;
    for (const report of claimed) {
      try {
        // No idempotency key: the identifier dedupes, and Stripe would replay a refusal stored
        // under a key (a missing meter, say) for a day after the cause was fixed.
        await this.gateway!.call('billing.meter_events.create', (stripe, options) =>
          stripe.billing.meterEvents.create(
            { event_name: this.prices!.meterEventName, identifier: report.id, timestamp: Math.floor(new Date(report.created_at).getTime() / 1000), payload: { stripe_customer_id: report.stripe_customer_id, value: report.quantity } },
            options,
          ),
        );
        await this.markReported(report.id);
        sent++;
      } catch (error) {
        // Stripe already has this identifier: an earlier attempt got through before we could record it.
        if (error instanceof AppError && /already exists/i.test(error.message)) {
          await this.markReported(report.id);
          sent++;
        } else {
          await this.markFailed(report, error);
        }
      }
    }
    return sent;
  }

  /** Reports Stripe would bill twice (uncertain for too long) or refuse (too old) wait for an operator. */
  private async holdUnsendable(): Promise<void> {
    const held = rowsOf<{ id: string; tenant_id: string; env: string; quantity: string; last_error: string }>(await this.dataSource.query(
      `UPDATE overage_reports SET status = 'held',
         last_error = CASE WHEN created_at < now() - make_interval(days => $2) THEN $4 ELSE $3 END
       WHERE status IN ('pending', 'failed')
         AND (uncertain_since < now() - make_interval(hours => $1) OR created_at < now() - make_interval(days => $2))
       RETURNING id, tenant_id, env, quantity, last_error`,
      [RESEND_WITHIN_HOURS, STRIPE_MAX_AGE_DAYS, HELD_UNCERTAIN, HELD_TOO_OLD],
    ));
    for (const report of held) {
      this.logger.error({ reportId: report.id, tenantId: report.tenant_id, env: report.env, quantity: Number(report.quantity), reason: report.last_error }, 'overage report held for an operator (docs/billing/stripe-runbook.md)');
    }
  }

  private async markReported(id: string): Promise<void> {
    await this.dataSource.query("UPDATE overage_reports SET status = 'reported', reported_at = now(), last_error = NULL WHERE id = $1", [id]);
  }

  /**
   * Stripe refusing outright recorded nothing, so only other failures leave the attempt uncertain.
   * Written only while this claim is the latest: a slow call can outlive its lease, and another
   * instance's newer attempt (or an operator's release) must not be overwritten.
   */
  private async markFailed(report: Report, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const refused = error instanceof AppError && REFUSED.has(error.code);
    this.logger.warn({ reportId: report.id, attempts: report.attempts, error: message }, 'overage report failed; will retry');
    await this.dataSource.query(
      `UPDATE overage_reports SET status = 'failed', last_error = $2, next_attempt_at = now() + make_interval(secs => $3),
         uncertain_since = CASE WHEN $4 THEN $5::timestamptz ELSE uncertain_since END
       WHERE id = $1 AND attempts = $6 AND status IN ('pending', 'failed')`,
      [report.id, message.slice(0, 1000), retryDelaySeconds(report.attempts), refused, report.uncertain_before, report.attempts],
    );
  }
}
