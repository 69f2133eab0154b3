import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { ClsService } from 'nestjs-cls';
import { AUDIT_ENTRY, type ActorType, type AuditEntry } from '../common/events/audit-trail.js';
import { AUTH_CONTEXT, type AuthContext } from '../identity/auth/auth-context.js';
import type { AuditQueryDto } from './audit-query.dto.js';
import { AuditRepository } from './audit.repository.js';

@Injectable()
export class AuditService {
  constructor(
    private readonly audit: AuditRepository,
    private readonly cls: ClsService,
  ) {}

  /** Every module's AuditTrail.record() lands here, in the caller's transaction. */
  @OnEvent(AUDIT_ENTRY, { suppressErrors: false })
  async record(entry: AuditEntry): Promise<void> {
    const auth = this.cls.isActive() ? this.cls.get<AuthContext | undefined>(AUTH_CONTEXT) : undefined;
    await this.audit.insert({
      tenantId: entry.tenantId ?? auth?.scope?.tenantId ?? null,
      env: entry.env ?? auth?.scope?.env ?? null,
      actorType: entry.actor?.type ?? this.actorType(auth),
      // An entry naming its actor (Stripe, the system) must not borrow the request's actor id.
      actorId: entry.actor ? (entry.actor.id ?? null) : (auth?.actor.id ?? null),
      action: entry.action,
      targetType: entry.target?.type ?? null,
      targetId: entry.target?.id ?? null,
      metadata: entry.metadata ?? {},
      requestId: this.cls.isActive() ? (this.cls.getId() ?? null) : null,
    });
  }

  /** One page of the tenant's own entries, newest first; `next_cursor` is null on the last page. */
  async page(tenantId: string, env: string, query: AuditQueryDto) {
    const limit = query.limit ?? 50;
    const rows = await this.audit.page(
      tenantId,
      env,
      {
        cursor: query.cursor,
        action: query.action,
        since: query.since ? new Date(query.since) : undefined,
        until: query.until ? new Date(query.until) : undefined,
      },
      limit + 1,
    );
    const data = rows.slice(0, limit).map((e) => ({
      id: e.id,
      action: e.action,
      actor: { type: e.actorType, id: e.actorId },
      target: e.targetType ? { type: e.targetType, id: e.targetId } : null,
      metadata: e.metadata,
      request_id: e.requestId,
      created_at: e.createdAt,
    }));
    return { data, next_cursor: rows.length > limit ? data.at(-1)!.id : null };
  }

  private actorType(auth?: AuthContext): ActorType {
    if (!auth) return 'system';
    if (auth.actor.type === 'api_key') return 'api_key';
    return auth.actor.isOperator && !auth.scope ? 'operator' : 'user';
  }
}
