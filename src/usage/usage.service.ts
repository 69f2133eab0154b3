import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable } from '@nestjs/common';
import { UsageCounter } from './usage-counter.entity.js';

export const CHARACTERS_METER = 'characters';

@Injectable()
export class UsageService {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  /** Units used in the period that starts at `periodStart`. */
  async used(tenantId: string, env: string, periodStart: Date, meter = CHARACTERS_METER): Promise<number> {
    const counter = await this.txHost.tx.getRepository(UsageCounter).findOneBy({ tenantId, env, meter, periodStart });
    return counter?.used ?? 0;
  }
}
