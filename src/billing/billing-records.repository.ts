import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable } from '@nestjs/common';
import { BillingCustomer } from './entities/billing-customer.entity.js';
import { InvoiceRecord } from './entities/invoice-record.entity.js';
import { SubscriptionRecord } from './entities/subscription-record.entity.js';
import { LIVE_STATUSES } from './stripe-facts.js';

const RECENT = 20;

/** Of a tenant's subscriptions, newest first: the one that decides its plan. */
export const currentOf = (newestFirst: SubscriptionRecord[]): SubscriptionRecord | null => newestFirst.find((s) => LIVE_STATUSES.has(s.status)) ?? newestFirst[0] ?? null;

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

  customer(tenantId: string, env: string): Promise<BillingCustomer | null> {
    return this.tx.getRepository(BillingCustomer).findOneBy({ tenantId, env });
  }

  customerByStripeId(stripeCustomerId: string): Promise<BillingCustomer | null> {
    return this.tx.getRepository(BillingCustomer).findOneBy({ stripeCustomerId });
  }

  async insertCustomer(tenantId: string, env: string, stripeCustomerId: string): Promise<void> {
    await this.tx.getRepository(BillingCustomer).createQueryBuilder().insert().values({ tenantId, env, stripeCustomerId }).orIgnore().execute();
  }

  async saveSubscription(record: Omit<SubscriptionRecord, 'syncedAt'>): Promise<void> {
    await this.tx.getRepository(SubscriptionRecord).upsert({ ...record, syncedAt: new Date() }, ['stripeSubscriptionId']);
  }

  subscription(tenantId: string, env: string, stripeSubscriptionId: string): Promise<SubscriptionRecord | null> {
    return this.tx.getRepository(SubscriptionRecord).findOneBy({ tenantId, env, stripeSubscriptionId });
  }

  /** The subscription that decides the tenant's plan: the newest one still alive, else the newest. */
  async currentSubscription(tenantId: string, env: string): Promise<SubscriptionRecord | null> {
    return currentOf(await this.recentSubscriptions(tenantId, env));
  }

  /** The tenant's newest subscriptions, newest first: enough to find the current one. */
  recentSubscriptions(tenantId: string, env: string): Promise<SubscriptionRecord[]> {
    return this.tx.getRepository(SubscriptionRecord).find({ where: { tenantId, env }, order: { stripeCreated: 'DESC' }, take: RECENT });
  }

  async saveInvoice(record: Omit<InvoiceRecord, 'syncedAt'>): Promise<void> {
    await this.tx.getRepository(InvoiceRecord).upsert({ ...record, syncedAt: new Date() }, ['stripeInvoiceId']);
  }

  invoice(tenantId: string, env: string, stripeInvoiceId: string): Promise<InvoiceRecord | null> {
    return this.tx.getRepository(InvoiceRecord).findOneBy({ tenantId, env, stripeInvoiceId });
  }
}
