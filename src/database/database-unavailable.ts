/** Errors of the socket under a connection: the server is down, restarting or out of reach. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server that is not serving: class 08 (connection exception), 57P01 admin_shutdown,
 * 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, shutting down, in recovery), and
 * 53300 too_many_connections.
 */
const unavailableState = (code: string) => code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code);

/** What node-postgres and its pool say when a connection cannot be made or was lost. */
const CONNECTION_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Query read timeout',
];

/** The error itself, then what it wraps: TypeORM's `driverError`, a `cause`, an AggregateError's `errors`. */
function* chain(error: unknown, depth = 0): Generator<Record<string, unknown>> {
  if (depth > 4 || error === null || typeof error !== 'object') return;
  const record = error as Record<string, unknown>;
  yield record;
  yield* chain(record.driverError, depth + 1);
  yield* chain(record.cause, depth + 1);
  if (Array.isArray(record.errors)) for (const inner of record.errors) yield* chain(inner, depth + 1);
}

/**
 * True when an error says the database could not be reached (refused, dropped, timed out, shutting
 * down), as opposed to a statement that failed: the request did nothing and may be retried.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const link of chain(error)) {
    const code = typeof link.code === 'string' ? link.code : '';
    if (NETWORK_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && unavailableState(code))) return true;
    const message = typeof link.message === 'string' ? link.message : '';
    if (CONNECTION_MESSAGES.some((known) => message.startsWith(known))) return true;
  }
  return false;
}
