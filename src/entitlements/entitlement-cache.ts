import { Injectable, type OnModuleInit } from '@nestjs/common';
import { PgNotifications } from '../database/pg-notifications.js';
import { ENTITLEMENTS_CHANNEL } from './entitlements.channel.js';
import { type EntitlementSnapshot, snapshotOf } from './entitlement-snapshot.js';
import { EntitlementsRepository } from './entitlements.repository.js';
import { freeEntitlement } from './free-entitlement.js';

/** A safety net only: changes arrive by NOTIFY within milliseconds. */
const TTL_MS = 60_000;

interface Entry {
  snapshot: EntitlementSnapshot;
  expiresAt: number;
}

/** Entitlements by tenant and env, in process, dropped on every instance the moment one changes. */
@Injectable()
export class EntitlementCache implements OnModuleInit {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<EntitlementSnapshot>>();
  /** Bumped on every change notice, so a load that raced a change is not cached. */
  private generation = 0;

  constructor(
    private readonly repository: EntitlementsRepository,
    private readonly notifications: PgNotifications,
  ) {}

  onModuleInit(): void {
    this.notifications.on(ENTITLEMENTS_CHANNEL, (key) => {
      this.generation++;
      if (key === '*') {
        this.entries.clear();
        this.loading.clear();
      } else {
        this.entries.delete(key);
        this.loading.delete(key);
      }
    });
  }

  /** The cached snapshot if there is a fresh one: the request path's common case, without a promise. */
  peek(tenantId: string, env: string): EntitlementSnapshot | undefined {
    const entry = this.entries.get(`${tenantId}:${env}`);
    return entry && entry.expiresAt > Date.now() ? entry.snapshot : undefined;
  }

  async get(tenantId: string, env: string): Promise<EntitlementSnapshot> {
    const cached = this.peek(tenantId, env);
    if (cached) return cached;
    const key = `${tenantId}:${env}`;
    let loading = this.loading.get(key);
    if (!loading) {
      loading = this.load(tenantId, env).finally(() => this.loading.delete(key));
      this.loading.set(key, loading);
    }
    return loading;
  }

  invalidate(tenantId: string, env: string): void {
    this.generation++;
    this.entries.delete(`${tenantId}:${env}`);
  }

  private async load(tenantId: string, env: string): Promise<EntitlementSnapshot> {
    const generation = this.generation;
    const snapshot = snapshotOf((await this.repository.find(tenantId, env)) ?? freeEntitlement(tenantId, env));
    if (generation === this.generation)
      this.entries.set(`${tenantId}:${env}`, { snapshot, expiresAt: Date.now() + TTL_MS });
    return snapshot;
  }
}
