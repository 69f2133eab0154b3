import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Our mirror of one Stripe subscription, refreshed from Stripe whenever it may have changed. */
@Entity('subscriptions')
export class SubscriptionRecord {
  @PrimaryColumn({ name: 'stripe_subscription_id', type: 'text' })
  stripeSubscriptionId: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ type: 'text' })
  env: string;

  @Column({ name: 'stripe_customer_id', type: 'text' })
  stripeCustomerId: string;

  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'plan_id', type: 'text', nullable: true })
  planId: string | null;

  @Column({ name: 'price_id', type: 'text', nullable: true })
  priceId: string | null;

  @Column({ name: 'overage_item_id', type: 'text', nullable: true })
  overageItemId: string | null;

  @Column({ name: 'current_period_start', type: 'timestamptz', nullable: true })
  currentPeriodStart: Date | null;

  @Column({ name: 'current_period_end', type: 'timestamptz', nullable: true })
  currentPeriodEnd: Date | null;

  @Column({ name: 'cancel_at_period_end', default: false })
  cancelAtPeriodEnd: boolean;

  @Column({ name: 'downgraded_from', type: 'text', nullable: true })
  downgradedFrom: string | null;

  @Column({ name: 'downgrade_effective_at', type: 'timestamptz', nullable: true })
  downgradeEffectiveAt: Date | null;

  @Column({
    name: 'stripe_created',
    type: 'bigint',
    transformer: { to: (v: number) => v, from: (v: string) => Number(v) },
  })
  stripeCreated: number;

  @Column({ name: 'synced_at', type: 'timestamptz' })
  syncedAt: Date;

  /** The ticket of the Stripe read this row holds (stripe_read_tickets): a read with an older one is stale. */
  @Column({
    name: 'read_ticket',
    type: 'bigint',
    transformer: { to: (v: number) => v, from: (v: string) => Number(v) },
  })
  readTicket: number;
}
