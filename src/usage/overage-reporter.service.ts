import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error.js';
import { PlanPrices } from '../billing/stripe/plan-prices.js';
import { StripeGateway } from '../billing/stripe/stripe-gateway.js';

const EVERY_MS = 2_000;
/** Rows younger than this may still be refunded by a failing request (handlers finish well within it). */
const SETTLE_SECONDS = 60;
const LEASE_SECONDS = 60;
const retryDelaySeconds = (attempts: number) => Math.min(2 ** attempts, 3_600);

interface Report {
  id: string;
  stripe_customer_id: string;
  quantity: string;
  attempts: number;
  created_at: Date;
}

/**
 * PAYG overage, from the outbox to the Stripe Billing Meter. Rows are grouped into reports per
 * tenant; each report is sent with its own id as the meter event's `identifier`, so a report sent
 * again after a crash or an outage is recognised by Stripe, never billed twice.
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
    const claimed: Report[] = await this.dataSource.query(
      `UPDATE overage_reports SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $1)
       WHERE id IN (SELECT id FROM overage_reports WHERE status <> 'reported'
                      AND (next_attempt_at <= now() OR (tenant_id = $2 AND env = $3))
                    ORDER BY created_at LIMIT 100 FOR UPDATE SKIP LOCKED)
       RETURNING id, stripe_customer_id, quantity, attempts, created_at`,
      [LEASE_SECONDS, only?.tenantId ?? null, only?.env ?? null],
    ).then((result: unknown) => (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as Report[]);
    let sent = 0;
    for (const report of claimed) {
      try {
        await this.gateway!.call(
          'billing.meter_events.create',
          (stripe, options) =>
            stripe.billing.meterEvents.create(
              { event_name: this.prices!.meterEventName, identifier: report.id, timestamp: Math.floor(new Date(report.created_at).getTime() / 1000), payload: { stripe_customer_id: report.stripe_customer_id, value: report.quantity } },
              options,
            ),
          `meter-event:${report.id}`,
        );
        await this.mark(report.id, null);
        sent++;
      } catch (error) {
        // Stripe already has this identifier: an earlier attempt got through before we could record it.
        const alreadyThere = error instanceof AppError && /already exists/i.test(error.message);
        await this.mark(report.id, alreadyThere ? null : error instanceof Error ? error.message : String(error), report.attempts);
        if (alreadyThere) sent++;
      }
    }
    return sent;
  }

  private async mark(id: string, error: string | null, attempts = 0): Promise<void> {
    if (error === null) {
      await this.dataSource.query("UPDATE overage_reports SET status = 'reported', reported_at = now(), last_error = NULL WHERE id = $1", [id]);
      return;
    }
    this.logger.warn({ reportId: id, attempts, error }, 'overage report failed; will retry');
    await this.dataSource.query("UPDATE overage_reports SET status = 'failed', last_error = $2, next_attempt_at = now() + make_interval(secs => $3) WHERE id = $1", [id, error.slice(0, 1000), retryDelaySeconds(attempts)]);
  }
}
