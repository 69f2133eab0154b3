import { Column, Entity, PrimaryColumn } from 'typeorm';

export type StripeEventStatus = 'pending' | 'processed' | 'ignored' | 'failed' | 'dead';

/** Every delivery Stripe made, stored raw before we answer, with where its processing stands. */
@Entity('stripe_events')
export class StripeEventRecord {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  type: string;

  @Column()
  livemode: boolean;

  /** The body exactly as Stripe sent it. */
  @Column({ type: 'text' })
  payload: string;

  @Column({ type: 'text' })
  status: StripeEventStatus;

  @Column({ type: 'int' })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt: Date;

  /** The claim a worker holds the event under, while it does; `next_attempt_at` is then when the lease ends. */
  @Column({ name: 'lease_token', type: 'uuid', nullable: true, select: false })
  leaseToken: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({
    name: 'stripe_created',
    type: 'bigint',
    transformer: { to: (v: number) => v, from: (v: string) => Number(v) },
  })
  stripeCreated: number;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;

  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true })
  processedAt: Date | null;
}
