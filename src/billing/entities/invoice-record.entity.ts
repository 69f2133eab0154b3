import { Column, Entity, PrimaryColumn } from 'typeorm';

const bigintNumber = { to: (v: number) => v, from: (v: string) => Number(v) };

@Entity('invoices')
export class InvoiceRecord {
  @PrimaryColumn({ name: 'stripe_invoice_id', type: 'text' })
  stripeInvoiceId: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ type: 'text' })
  env: string;

  @Column({ name: 'stripe_subscription_id', type: 'text', nullable: true })
  stripeSubscriptionId: string | null;

  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'billing_reason', type: 'text', nullable: true })
  billingReason: string | null;

  @Column({ type: 'text' })
  currency: string;

  @Column({ name: 'amount_due', type: 'bigint', transformer: bigintNumber })
  amountDue: number;

  @Column({ name: 'amount_paid', type: 'bigint', transformer: bigintNumber })
  amountPaid: number;

  @Column({ name: 'period_start', type: 'timestamptz', nullable: true })
  periodStart: Date | null;

  @Column({ name: 'period_end', type: 'timestamptz', nullable: true })
  periodEnd: Date | null;

  @Column({ name: 'hosted_invoice_url', type: 'text', nullable: true })
  hostedInvoiceUrl: string | null;

  @Column({ name: 'payment_failed_at', type: 'timestamptz', nullable: true })
  paymentFailedAt: Date | null;

  @Column({ name: 'stripe_created', type: 'bigint', transformer: bigintNumber })
  stripeCreated: number;

  @Column({ name: 'synced_at', type: 'timestamptz' })
  syncedAt: Date;

  /** The ticket of the Stripe read this row holds (stripe_read_tickets): a read with an older one is stale. */
  @Column({ name: 'read_ticket', type: 'bigint', transformer: bigintNumber })
  readTicket: number;
}
