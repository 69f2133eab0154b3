import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { emitHandled } from './emit-handled.js';

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

  record(entry: AuditEntry): Promise<void> {
    return emitHandled(this.events, AUDIT_ENTRY, entry, 'AuditModule');
  }
}
