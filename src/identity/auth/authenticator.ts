import { Injectable, Logger } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { IncomingHttpHeaders } from 'node:http';
import { AppConfig, type StripeEnv } from '../../config/app-config.js';
import { ApiKeysRepository } from '../api-keys.repository.js';
import { IdentityError } from '../identity.errors.js';
import { CommonError } from '../../common/errors/common.errors.js';
import { MembershipsRepository } from '../memberships.repository.js';
import { UsersService } from '../users.service.js';
import { hashApiKey, isWellFormedApiKey, looksLikeApiKey } from './api-key-secret.js';
import { ApiKeyCache, type CachedKey } from './api-key-cache.js';
import type { AuthContext } from './auth-context.js';
import { JwtVerifier } from './jwt-verifier.js';

const header = (headers: IncomingHttpHeaders, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Turns a request's credentials into the actor, tenant, env and role it acts as. */
@Injectable()
export class Authenticator {
  private readonly logger = new Logger(Authenticator.name);

  constructor(
    private readonly config: AppConfig,
    private readonly jwt: JwtVerifier,
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysRepository,
    private readonly memberships: MembershipsRepository,
    private readonly keyCache: ApiKeyCache,
  ) {}

  /**
   * Synchronous for an API key already verified (the request path's common case): no promise to pay for.
   * `beforeLookup` runs before a credential this instance has not verified costs any work (a database
   * lookup, a JWT verification), and may refuse it.
   */
  authenticate(
    headers: IncomingHttpHeaders,
    beforeLookup: () => Promise<void> = async () => undefined,
  ): AuthContext | Promise<AuthContext> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header(headers, 'authorization') ?? '');
    if (!match) throw new CommonError('unauthenticated');
    const token = match[1];
    const requestedEnv = this.requestedEnv(headers);
    const requestedTenant = this.requestedTenant(headers);
    return looksLikeApiKey(token)
      ? this.fromApiKey(token, beforeLookup, requestedEnv, requestedTenant)
      : beforeLookup().then(() => this.fromJwt(token, requestedEnv ?? this.config.defaultEnv, requestedTenant));
  }

  private requestedEnv(headers: IncomingHttpHeaders): StripeEnv | undefined {
    const env = header(headers, 'x-env');
    if (env === undefined) return undefined;
    if (env !== 'test' && env !== 'live') throw new IdentityError('invalid_env');
    return env;
  }

  private requestedTenant(headers: IncomingHttpHeaders): string | undefined {
    const tenantId = header(headers, 'x-tenant-id');
    if (tenantId === undefined) return undefined;
    if (!isUUID(tenantId, 'loose')) throw new IdentityError('invalid_tenant_header');
    return tenantId.toLowerCase();
  }

  private fromApiKey(
    token: string,
    beforeLookup: () => Promise<void>,
    env?: StripeEnv,
    tenantId?: string,
  ): AuthContext | Promise<AuthContext> {
    if (!isWellFormedApiKey(token)) throw new IdentityError('invalid_api_key');
    const hash = hashApiKey(token);
    const hex = hash.toString('hex');
    const cached = this.keyCache.get(hex);
    if (cached) return this.actingAs(cached, env, tenantId);
    const lookup = () => this.loadKey(hash, hex).then((key) => this.actingAs(key, env, tenantId));
    // A key verified here before is one its owner is still using: its refresh is never refused.
    return this.keyCache.verifiedBefore(hex) ? lookup() : beforeLookup().then(lookup);
  }

  private actingAs(key: CachedKey | undefined, env?: StripeEnv, tenantId?: string): AuthContext {
    if (!key) throw new IdentityError('invalid_api_key');
    if (env && env !== key.env) throw new IdentityError('env_mismatch');
    if (tenantId && tenantId !== key.tenantId) throw new IdentityError('not_a_member');
    if (this.keyCache.shouldTouch(key.id))
      this.apiKeys
        .touch(key.id)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'could not record API key use'));
    return { actor: { type: 'api_key', id: key.id }, scope: { tenantId: key.tenantId, env: key.env, role: key.role } };
  }

  private async loadKey(hash: Buffer, hex: string): Promise<CachedKey | undefined> {
    const generation = this.keyCache.currentGeneration;
    const row = await this.apiKeys.findActiveByHash(hash);
    if (!row) return undefined;
    const key = { id: row.id, tenantId: row.tenantId, env: row.env, role: row.role };
    this.keyCache.remember(hex, key, generation);
    return key;
  }

  private async fromJwt(token: string, env: StripeEnv, tenantId?: string): Promise<AuthContext> {
    const identity = await this.jwt.verify(token);
    const user = await this.users.signIn(identity);
    const actor = { type: 'user' as const, id: user.id, email: user.email, isOperator: user.isOperator };
    if (!tenantId) return { actor };
    const role = await this.memberships.roleOf(tenantId, user.id);
    if (!role) throw new IdentityError('not_a_member');
    return { actor, scope: { tenantId, env, role } };
  }
}
