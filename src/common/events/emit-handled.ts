import type { EventEmitter2 } from '@nestjs/event-emitter';

/**
 * Emits to the handler a higher module registers and waits for it, in the caller's async context;
 * its error is the caller's. No handler means the application was wired without that module: an
 * error, never a change that silently goes unrecorded.
 */
export async function emitHandled(events: EventEmitter2, name: string, payload: unknown, handlerModule: string) {
  const handled = await events.emitAsync(name, payload);
  if (handled.length === 0) throw new Error(`nothing handles ${name}: the application must import ${handlerModule}`);
}
