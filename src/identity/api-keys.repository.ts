import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable } from '@nestjs/common';
import { In, IsNull } from 'typeorm';
import type { StripeEnv } from '../config/app-config.js';
import { ApiKey } from './entities/api-key.entity.js';
import type { Role } from './entities/role.js';
import { API_KEYS_CHANNEL } from './auth/api-key-cache.js';

export type NewApiKey = Pick<
  ApiKey,
  'tenantId' | 'env' | 'role' | 'name' | 'prefix' | 'keyHash' | 'createdByUserId' | 'createdByApiKeyId'
>;

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

  /** Revokes these keys and, transitively, every key they issued; returns the ids revoked. */
  async revokeWithDescendants(tenantId: string, rootIds: string[]): Promise<string[]> {
    if (rootIds.length === 0) return [];
    const lineage: Array<{ id: string }> = await this.txHost.tx.query(
      `WITH RECURSIVE lineage AS (
         SELECT id FROM api_keys WHERE tenant_id = $1 AND id = ANY($2::uuid[])
         UNION
         SELECT k.id FROM api_keys k JOIN lineage l ON k.created_by_api_key_id = l.id WHERE k.tenant_id = $1
       )
       SELECT id FROM lineage`,
      [tenantId, rootIds],
    );
    const result = await this.keys
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('tenant_id = :tenantId AND revoked_at IS NULL AND id IN (:...ids)', {
        tenantId,
        ids: lineage.map((row) => row.id),
      })
      .returning('id')
      .execute();
    const revoked = (result.raw as Array<{ id: string }>).map((row) => row.id);
    // Delivered at commit: every instance drops these keys from its cache.
    if (revoked.length > 0)
      await this.txHost.tx.query('SELECT pg_notify($1, $2)', [API_KEYS_CHANNEL, revoked.join(',')]);
    return revoked;
  }

  /** Active keys a user issued in this tenant (any env) whose role is one of `roles`. */
  async activeIdsIssuedBy(tenantId: string, userId: string, roles: Role[]): Promise<string[]> {
    const keys = await this.keys.find({
      select: { id: true },
      where: { tenantId, createdByUserId: userId, revokedAt: IsNull(), role: In(roles) },
    });
    return keys.map((key) => key.id);
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
