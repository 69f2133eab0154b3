import { Injectable, type OnModuleInit } from '@nestjs/common';
import { PgNotifications } from '../../database/pg-notifications.js';
import type { StripeEnv } from '../../config/app-config.js';
import type { Role } from '../entities/role.js';

export const API_KEYS_CHANNEL = 'api_keys_revoked';
/** A safety net only: revocations arrive by NOTIFY within milliseconds. */
const TTL_MS = 60_000;
const TOUCH_EVERY_MS = 60_000;

export interface CachedKey {
  id: string;
  tenantId: string;
  env: StripeEnv;
  role: Role;
}

/**
 * Verified API keys by hash, in process, so the request path does not query for them. A revocation
 * anywhere (NOTIFY with the key ids) drops them on every instance at once.
 */
@Injectable()
export class ApiKeyCache implements OnModuleInit {
  private readonly byHash = new Map<string, { key: CachedKey; expiresAt: number }>();
  private readonly lastTouch = new Map<string, number>();
  private generation = 0;

  constructor(private readonly notifications: PgNotifications) {}

  onModuleInit(): void {
    this.notifications.on(API_KEYS_CHANNEL, (payload) => this.forget(payload === '*' ? null : payload.split(',')));
  }

  get(hash: string): CachedKey | undefined {
    const entry = this.byHash.get(hash);
    return entry && entry.expiresAt > Date.now() ? entry.key : undefined;
  }

  /** Verified on this instance and not revoked since, though its entry may have expired. */
  verifiedBefore(hash: string): boolean {
    return this.byHash.has(hash);
  }

  /** Caches a key read from the database, unless a revocation arrived while it was being read. */
  remember(hash: string, key: CachedKey, generationAtRead: number): void {
    if (generationAtRead === this.generation) this.byHash.set(hash, { key, expiresAt: Date.now() + TTL_MS });
  }

  get currentGeneration(): number {
    return this.generation;
  }

  /** True at most once a minute per key, for recording last_used_at without a write per request. */
  shouldTouch(keyId: string, now = Date.now()): boolean {
    if ((this.lastTouch.get(keyId) ?? 0) > now - TOUCH_EVERY_MS) return false;
    this.lastTouch.set(keyId, now);
    return true;
  }

  forget(ids: string[] | null): void {
    this.generation++;
    if (!ids) return this.byHash.clear();
    const gone = new Set(ids);
    for (const [hash, entry] of this.byHash) if (gone.has(entry.key.id)) this.byHash.delete(hash);
  }
}
