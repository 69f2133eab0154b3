import { Transactional } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../common/events/audit-trail.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { generateApiKey } from './auth/api-key-secret.js';
import { ApiKeyCache } from './auth/api-key-cache.js';
import type { Actor, TenantScope } from './auth/auth-context.js';
import type { CreateApiKeyDto } from './dto/create-api-key.dto.js';
import { type Role, ROLES, roleAtLeast } from './entities/role.js';
import { IdentityError } from './identity.errors.js';
import { apiKeyView } from './identity.views.js';

@Injectable()
export class ApiKeysService {
  constructor(
    private readonly apiKeys: ApiKeysRepository,
    private readonly audit: AuditTrail,
    private readonly keyCache: ApiKeyCache,
  ) {}

  async list(scope: TenantScope) {
    return (await this.apiKeys.list(scope.tenantId, scope.env)).map(apiKeyView);
  }

  /** The full key is in this response only; afterwards just its prefix and hash exist. */
  @Transactional()
  async issue(scope: TenantScope, issuer: Actor | null, dto: CreateApiKeyDto) {
    const role = dto.role ?? 'member';
    if (!roleAtLeast(scope.role, role)) throw new IdentityError('role_above_creator');
    const { key, prefix, hash } = generateApiKey(scope.env);
    const saved = await this.apiKeys.insert({
      tenantId: scope.tenantId,
      env: scope.env,
      role,
      name: dto.name,
      prefix,
      keyHash: hash,
      createdByUserId: issuer?.type === 'user' ? issuer.id : null,
      createdByApiKeyId: issuer?.type === 'api_key' ? issuer.id : null,
    });
    await this.audit.record({
      action: 'api_key.created',
      tenantId: scope.tenantId,
      env: scope.env,
      target: { type: 'api_key', id: saved.id },
      metadata: { role, prefix },
    });
    return { ...apiKeyView(saved), key };
  }

  /** Revoking a key also revokes every key it issued, so a leaked key leaves nothing behind. */
  async revoke(scope: TenantScope, id: string): Promise<void> {
    const revoked = await this.revokeCommitted(scope, id);
    // Other instances hear it by NOTIFY; this one must not wait for its own notification.
    this.keyCache.forget(revoked);
  }

  @Transactional()
  private async revokeCommitted(scope: TenantScope, id: string): Promise<string[]> {
    const key = await this.apiKeys.findById(scope.tenantId, scope.env, id);
    if (!key) throw new IdentityError('api_key_not_found');
    if (!roleAtLeast(scope.role, key.role))
      throw new IdentityError('role_above_creator', 'You cannot revoke a key whose role is above yours.');
    const revoked = await this.apiKeys.revokeWithDescendants(scope.tenantId, [id]);
    for (const keyId of revoked) {
      await this.audit.record({
        action: 'api_key.revoked',
        target: { type: 'api_key', id: keyId },
        metadata: { cascade_from: keyId === id ? null : id },
      });
    }
    return revoked;
  }

  /** When a user leaves or is demoted, the keys they issued above their new role stop working. */
  async revokeIssuedAbove(tenantId: string, userId: string, newRole: Role | null): Promise<void> {
    const tooHigh = ROLES.filter((role) => newRole === null || !roleAtLeast(newRole, role));
    const roots = await this.apiKeys.activeIdsIssuedBy(tenantId, userId, tooHigh);
    const revoked = await this.apiKeys.revokeWithDescendants(tenantId, roots);
    for (const keyId of revoked) {
      await this.audit.record({
        action: 'api_key.revoked',
        tenantId,
        target: { type: 'api_key', id: keyId },
        metadata: { reason: 'issuer_role_reduced', issuer: userId },
      });
    }
  }
}
