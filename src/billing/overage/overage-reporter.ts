import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppError } from '../../common/errors/app-error.js';
import type { Executor } from '../../database/executor.js';
import { type SettledOverage, UsageMeter } from '../../usage/usage-meter.js';
import { BillingRecordsRepository } from '../billing-records.repository.js';
import { PlanPrices } from '../stripe/plan-prices.js';
import { StripeConnection } from '../stripe/stripe-connection.js';
import { type DueReport, OverageReportsRepository } from './overage-reports.repository.js';

/** Rows younger than this may still be refunded by a failing request (handlers finish well within it). */
const SETTLE_SECONDS = 60;
const LEASE_SECONDS = 60;
const retryDelaySeconds = (attempts: number) => Math.min(2 ** attempts, 3_600);

/** Answers that mean Stripe recorded nothing: invalid request, bad credentials, or no Stripe to call at all. */
const REFUSED = new Set([
  'stripe_invalid_request',
  'stripe_misconfigured',
  'billing_disabled',
  'billing_env_unavailable',
]);

type Scope = { tenantId: string; env: string };

/**
 * PAYG overage, from usage's outbox to the Stripe Billing Meter. Rows are grouped into reports per
 * tenant; each report is sent with its own id as the meter event's `identifier`, which Stripe
 * recognises for 24 hours: a report that may have reached Stripe is sent again only within that,
 * and held for an operator after it (as is one too old for Stripe to take), never billed twice.
 * OverageSchedule runs it every few seconds when Stripe is configured.
 */
@Injectable()
export class OverageReporter {
  private readonly logger = new Logger('Overage');

  constructor(
    private readonly dataSource: DataSource,
    private readonly usage: UsageMeter,
    private readonly reports: OverageReportsRepository,
    private readonly records: BillingRecordsRepository,
    private readonly stripe: StripeConnection,
    private readonly prices: PlanPrices,
  ) {}

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

  /** One transaction on one connection: the outbox rows stay locked until their report exists. */
  private async batch(only?: Scope): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const groups = groupByTenant(await this.usage.settledOverage(manager, SETTLE_SECONDS, only));
      if (groups.length === 0) return;
      const tenants = groups.map(([first]) => ({ tenantId: first.tenant_id, env: first.env }));
      const customers = await this.records.customerIdsIn(manager, tenants);
      for (const group of groups) {
        const [first] = group;
        const stripeCustomerId = customers.get(`${first.tenant_id}:${first.env}`);
        // A tenant without a Stripe customer waits until it has one.
        if (stripeCustomerId) await this.report(manager, group, stripeCustomerId);
      }
    });
  }

  /** A tenant's settled rows become one report. */
  private async report(manager: Executor, rows: SettledOverage[], stripeCustomerId: string): Promise<void> {
    const [first] = rows;
    const id = randomUUID();
    const quantity = rows.reduce((sum, row) => sum + Number(row.quantity), 0);
    await this.reports.insert(manager, { id, tenantId: first.tenant_id, env: first.env, stripeCustomerId, quantity });
    await this.usage.assignOverageReport(
      manager,
      id,
      rows.map((row) => row.id),
    );
  }

  private async send(only?: Scope): Promise<number> {
    await this.holdUnsendable();
    const claimed = await this.reports.claimDue(LEASE_SECONDS, only);
    let sent = 0;
    for (const report of claimed) {
      try {
        await this.sendOne(report);
        await this.reports.markReported(report.id);
        sent++;
      } catch (error) {
        // Stripe already has this identifier: an earlier attempt got through before we could record it.
        if (error instanceof AppError && error.fields.stripe_code === 'resource_already_exists') {
          await this.reports.markReported(report.id);
          sent++;
        } else {
          await this.markFailed(report, error);
        }
      }
    }
    return sent;
  }

  private async sendOne(report: DueReport): Promise<void> {
    // No idempotency key: the identifier dedupes, and Stripe would replay a refusal stored
    // under a key (a missing meter, say) for a day after the cause was fixed.
    await this.stripe.forEnv(report.env).call('billing.meter_events.create', (stripe, options) =>
      stripe.billing.meterEvents.create(
        {
          event_name: this.prices.meterEventName,
          identifier: report.id,
          timestamp: Math.floor(new Date(report.created_at).getTime() / 1000),
          payload: { stripe_customer_id: report.stripe_customer_id, value: report.quantity },
        },
        options,
      ),
    );
  }

  private async holdUnsendable(): Promise<void> {
    for (const report of await this.reports.holdUnsendable()) {
      this.logger.error(
        {
          reportId: report.id,
          tenantId: report.tenant_id,
          env: report.env,
          quantity: Number(report.quantity),
          reason: report.last_error,
        },
        'overage report held for an operator (docs/billing/stripe-runbook.md)',
      );
    }
  }

  /** Stripe refusing outright recorded nothing, so only other failures leave the attempt uncertain. */
  private async markFailed(report: DueReport, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    const refused = error instanceof AppError && REFUSED.has(error.code);
    this.logger.warn(
      { reportId: report.id, attempts: report.attempts, error: message },
      'overage report failed; will retry',
    );
    await this.reports.markFailed(report, { message, retryInSeconds: retryDelaySeconds(report.attempts), refused });
  }
}

function groupByTenant(rows: SettledOverage[]): SettledOverage[][] {
  const groups = new Map<string, SettledOverage[]>();
  for (const row of rows) {
    const key = `${row.tenant_id}:${row.env}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()];
}
