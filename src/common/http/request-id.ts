import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** What a caller's `x-request-id` must look like to be logged: a UUID fits, markup and log-line tricks do not. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The server's own id for a request, always generated: it is what the audit stores, `x-request-id`
 * echoes and error bodies name, so no caller can give its request another request's id.
 */
export function requestIdFor(): string {
  return randomUUID();
}

/**
 * The caller's `x-request-id` when it is 1–64 letters, digits or `._:-` (a UUID fits), for the logs
 * only, as `clientRequestId` next to the server's id; anything else (or the header sent twice) is ignored.
 */
export function clientRequestIdOf({ headers }: { headers: IncomingHttpHeaders }): string | undefined {
  const header = headers['x-request-id'];
  return typeof header === 'string' && CLIENT_REQUEST_ID.test(header) ? header : undefined;
}
