import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';

export type ActorType = 'user' | 'api_key' | 'operator' | 'stripe' | 'system';

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

/** Handled by the audit module (layer 6), which every module below it may write to. */
export const AUDIT_ENTRY = 'audit.entry';

/**
 * Any module's way into the append-only audit log, declared below every module that writes to it.
 * The handler runs in the caller's async context: it joins the caller's transaction, so an audited
 * change and its entry commit together, and a failure to write the entry fails the change.
 */
@Injectable()
export class AuditTrail {
  constructor(private readonly events: EventEmitter2) {}

  async record(entry: AuditEntry): Promise<void> {
    const handled = await this.events.emitAsync(AUDIT_ENTRY, entry);
    if (handled.length === 0) throw new Error('nothing writes audit entries: the application must import AuditModule');
  }
}
