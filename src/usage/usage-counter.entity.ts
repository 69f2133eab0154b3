import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Units used per tenant, env and meter in one quota period; a new period is a new row, so nothing resets. */
@Entity('usage_counters')
export class UsageCounter {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @PrimaryColumn({ type: 'text' })
  env: string;

  @PrimaryColumn({ type: 'text' })
  meter: string;

  @PrimaryColumn({ name: 'period_start', type: 'timestamptz' })
  periodStart: Date;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  used: number;
}
