import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type EntitlementSource = 'subscription' | 'comp' | 'free';

@Entity('entitlements')
export class Entitlement {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @PrimaryColumn({ type: 'text' })
  env: string;

  @Column({ name: 'plan_id', type: 'text' })
  planId: string;

  /** active, trialing, past_due (Stripe retrying: the plan stays), or paused. */
  @Column({ type: 'text' })
  status: string;

  @Column({ type: 'text' })
  source: EntitlementSource;

  @Column({ name: 'current_period_start', type: 'timestamptz' })
  currentPeriodStart: Date;

  @Column({ name: 'current_period_end', type: 'timestamptz' })
  currentPeriodEnd: Date;

  @Column({ name: 'cancel_at_period_end', default: false })
  cancelAtPeriodEnd: boolean;

  @Column({ name: 'payg_enabled', default: false })
  paygEnabled: boolean;

  @Column({ default: false })
  comped: boolean;

  @Column({ name: 'comp_plan_id', type: 'text', nullable: true })
  compPlanId: string | null;

  @Column({ name: 'comp_reason', type: 'text', nullable: true })
  compReason: string | null;

  @Column({ name: 'comp_expires_at', type: 'timestamptz', nullable: true })
  compExpiresAt: Date | null;

  @Column({ name: 'last_payment_failure_at', type: 'timestamptz', nullable: true })
  lastPaymentFailureAt: Date | null;

  @Column({ name: 'last_payment_failure_invoice', type: 'text', nullable: true })
  lastPaymentFailureInvoice: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
