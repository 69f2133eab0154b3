import { Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import { AUTH_CONTEXT, type AuthContext } from '../identity/auth/auth-context.js';
import type { ActorType, AuditEvent } from './audit-event.entity.js';
import { AuditRepository } from './audit.repository.js';

export interface AuditEntry {
  action: string;
  target?: { type: string; id: string };
  metadata?: Record<string, unknown>;
  /** Defaults to the request's tenant and env. */
  tenantId?: string;
  env?: string;
  /** Defaults to the request's actor, or `system` outside a request. */
  actor?: { type: ActorType; id?: string };
}

@Injectable()
export class AuditService {
  constructor(
    private readonly audit: AuditRepository,
    private readonly cls: ClsService,
  ) {}

  /** Joins the caller's transaction, so an audited change and its entry commit together. */
  async record(entry: AuditEntry): Promise<void> {
    const auth = this.cls.isActive() ? this.cls.get<AuthContext | undefined>(AUTH_CONTEXT) : undefined;
    await this.audit.insert({
      tenantId: entry.tenantId ?? auth?.scope?.tenantId ?? null,
      env: entry.env ?? auth?.scope?.env ?? null,
      actorType: entry.actor?.type ?? this.actorType(auth),
      actorId: entry.actor?.id ?? auth?.actor.id ?? null,
      action: entry.action,
      targetType: entry.target?.type ?? null,
      targetId: entry.target?.id ?? null,
      metadata: entry.metadata ?? {},
      requestId: this.cls.isActive() ? (this.cls.getId() ?? null) : null,
    });
  }

  listForTenant(tenantId: string, env: string): Promise<AuditEvent[]> {
    return this.audit.listForTenant(tenantId, env);
  }

  private actorType(auth?: AuthContext): ActorType {
    if (!auth) return 'system';
    if (auth.actor.type === 'api_key') return 'api_key';
    return auth.actor.isOperator && !auth.scope ? 'operator' : 'user';
  }
}
