import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable } from '@nestjs/common';
import type { Executor } from '../database/executor.js';
import { rowsOf } from '../database/rows-of.js';
import { BillingCustomer } from './entities/billing-customer.entity.js';
import { InvoiceRecord } from './entities/invoice-record.entity.js';
import { SubscriptionRecord } from './entities/subscription-record.entity.js';
import { LIVE_STATUSES } from './stripe-facts.js';

/** How many of a tenant's subscriptions a sync reads at once; a tenant with fewer is read whole. */
export const RECENT_SUBSCRIPTIONS = 20;

/**
 * Newest first, ties (Stripe's `created` is in seconds) broken by id. The SQL side compares ids
 * COLLATE "C" (bytes), as `<` does here: under a database's own collation, mixed-case ids sort otherwise.
 */
export const newestFirst = (a: SubscriptionRecord, b: SubscriptionRecord) =>
  b.stripeCreated - a.stripeCreated ||
  (a.stripeSubscriptionId < b.stripeSubscriptionId ? 1 : a.stripeSubscriptionId > b.stripeSubscriptionId ? -1 : 0);

/** Of all a tenant's subscriptions, sorted by `newestFirst`: the one that decides its plan. */
export const currentOf = (sorted: SubscriptionRecord[]): SubscriptionRecord | null =>
  sorted.find((s) => LIVE_STATUSES.has(s.status)) ?? sorted[0] ?? null;

/** Billing's tables: every query takes the tenant and env first. */
@Injectable()
export class BillingRecordsRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get tx() {
    return this.txHost.tx;
  }

  /** Serialises every change to one tenant's billing state, even before it has any row. */
  async lockTenant(tenantId: string, env: string): Promise<void> {
    await this.tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`billing:${tenantId}:${env}`]);
  }

  /** Taken before a Stripe read, outside any transaction: orders reads that may finish out of order. */
  async nextReadTicket(): Promise<number> {
    const [row] = rowsOf<{ ticket: string }>(
      await this.tx.query("SELECT nextval('stripe_read_tickets')::text AS ticket"),
    );
    return Number(row.ticket);
  }

  customer(tenantId: string, env: string): Promise<BillingCustomer | null> {
    return this.tx.getRepository(BillingCustomer).findOneBy({ tenantId, env });
  }

  /** Stripe customer ids of these tenants (those that have one), keyed `tenantId:env`, on the caller's connection. */
  async customerIdsIn(
    executor: Executor,
    tenants: Array<{ tenantId: string; env: string }>,
  ): Promise<Map<string, string>> {
    const rows = rowsOf<{ tenant_id: string; env: string; stripe_customer_id: string }>(
      await executor.query(
        `SELECT tenant_id, env, stripe_customer_id FROM billing_customers
         WHERE (tenant_id, env) IN (SELECT * FROM unnest($1::uuid[], $2::text[]))`,
        [tenants.map((t) => t.tenantId), tenants.map((t) => t.env)],
      ),
    );
    return new Map(rows.map((row) => [`${row.tenant_id}:${row.env}`, row.stripe_customer_id]));
  }

  customerByStripeId(stripeCustomerId: string): Promise<BillingCustomer | null> {
    return this.tx.getRepository(BillingCustomer).findOneBy({ stripeCustomerId });
  }

  async insertCustomer(tenantId: string, env: string, stripeCustomerId: string): Promise<void> {
    await this.tx
      .getRepository(BillingCustomer)
      .createQueryBuilder()
      .insert()
      .values({ tenantId, env, stripeCustomerId })
      .orIgnore()
      .execute();
  }

  async saveSubscription(record: Omit<SubscriptionRecord, 'syncedAt'>): Promise<void> {
    await this.tx
      .getRepository(SubscriptionRecord)
      .upsert({ ...record, syncedAt: new Date() }, ['stripeSubscriptionId']);
  }

  subscription(tenantId: string, env: string, stripeSubscriptionId: string): Promise<SubscriptionRecord | null> {
    return this.tx.getRepository(SubscriptionRecord).findOneBy({ tenantId, env, stripeSubscriptionId });
  }

  /** The subscription that decides the tenant's plan: the newest one still alive, else the newest (as `currentOf`). */
  async currentSubscription(tenantId: string, env: string): Promise<SubscriptionRecord | null> {
    return (
      (await this.newestFirstQuery(tenantId, env)
        .andWhere('s.status IN (:...live)', { live: [...LIVE_STATUSES] })
        .limit(1)
        .getOne()) ?? (await this.newestFirstQuery(tenantId, env).limit(1).getOne())
    );
  }

  /** The tenant's newest subscriptions in `newestFirst` order, at most RECENT_SUBSCRIPTIONS of them. */
  recentSubscriptions(tenantId: string, env: string): Promise<SubscriptionRecord[]> {
    return this.newestFirstQuery(tenantId, env).limit(RECENT_SUBSCRIPTIONS).getMany();
  }

  /** The tenant's subscriptions in `newestFirst` order, as a query to narrow further. */
  private newestFirstQuery(tenantId: string, env: string) {
    return this.tx
      .getRepository(SubscriptionRecord)
      .createQueryBuilder('s')
      .where('s.tenant_id = :tenantId AND s.env = :env', { tenantId, env })
      .orderBy('s.stripe_created', 'DESC')
      .addOrderBy('s.stripe_subscription_id COLLATE "C"', 'DESC');
  }

  async saveInvoice(record: Omit<InvoiceRecord, 'syncedAt'>): Promise<void> {
    await this.tx.getRepository(InvoiceRecord).upsert({ ...record, syncedAt: new Date() }, ['stripeInvoiceId']);
  }

  invoice(tenantId: string, env: string, stripeInvoiceId: string): Promise<InvoiceRecord | null> {
    return this.tx.getRepository(InvoiceRecord).findOneBy({ tenantId, env, stripeInvoiceId });
  }
}
