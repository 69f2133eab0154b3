import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('billing_customers')
export class BillingCustomer {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @PrimaryColumn({ type: 'text' })
  env: string;

  @Column({ name: 'stripe_customer_id', type: 'text' })
  stripeCustomerId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
