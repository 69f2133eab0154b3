import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import type { StripeEnv } from '../config/app-config.js';
import { ApiKey } from './entities/api-key.entity.js';

export type NewApiKey = Pick<ApiKey, 'tenantId' | 'env' | 'role' | 'name' | 'prefix' | 'keyHash' | 'createdByUserId'>;

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get keys() {
    return this.txHost.tx.getRepository(ApiKey);
  }

  async insert(values: NewApiKey): Promise<ApiKey> {
    const { id } = await this.keys.save(this.keys.create(values));
    return this.keys.findOneByOrFail({ id });
  }

  findActiveByHash(keyHash: Buffer): Promise<ApiKey | null> {
    return this.keys.findOneBy({ keyHash, revokedAt: IsNull() });
  }

  list(tenantId: string, env: StripeEnv): Promise<ApiKey[]> {
    return this.keys.find({ where: { tenantId, env }, order: { createdAt: 'DESC' } });
  }

  findById(tenantId: string, env: StripeEnv, id: string): Promise<ApiKey | null> {
    return this.keys.findOneBy({ tenantId, env, id });
  }

  async revoke(tenantId: string, env: StripeEnv, id: string): Promise<void> {
    await this.keys
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('tenant_id = :tenantId AND env = :env AND id = :id AND revoked_at IS NULL', { tenantId, env, id })
      .execute();
  }

  /** Written at most once a minute per key, so the hot path does not turn every read into a write. */
  async touch(id: string): Promise<void> {
    await this.keys
      .createQueryBuilder()
      .update()
      .set({ lastUsedAt: () => 'now()' })
      .where("id = :id AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')", { id })
      .execute();
  }
}
