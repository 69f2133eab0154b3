import pg from 'pg';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { isDatabaseUnavailable } from '../database/database-unavailable.js';
import { type LineFormatter, type StdoutFormat, stdoutFormat } from './log-format.js';
import { requestContextMixin, type TenantReader } from './request-log-context.js';
import { createSecretScrubber } from './secret-scrubber.js';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["stripe-signature"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

/**
 * pino's error serializer, without the stack of an error Postgres sent: that stack is always
 * pg-protocol's parser reading the socket, never the code that ran the query, and it is what a
 * Ctrl-C printed (the embedded Postgres ends our connections with 57P01). Nor the stack of a
 * database that cannot be reached (refused, dropped, timed out): it says where the socket failed,
 * and a job that retries during an outage would print one each round. Code, severity and the rest stay.
 */
export function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error);
  if (!(error instanceof pg.DatabaseError) && !isDatabaseUnavailable(error)) return serialized;
  const { stack: _stack, ...withoutStack } = serialized;
  return withoutStack;
}

const tenantReaders = new WeakMap<Logger, { read?: TenantReader }>();

/**
 * Scrubs each serialized line, then (in a terminal) makes it readable: the scrubber works on the JSON
 * line, where a secret appears as written or JSON-escaped, before pino-pretty unescapes anything.
 */
export function scrubbingDestination(
  destination: DestinationStream,
  scrub: (line: string) => string,
  format?: LineFormatter,
): DestinationStream {
  return format
    ? { write: (line: string) => destination.write(format(scrub(line))) }
    : { write: (line: string) => destination.write(scrub(line)) };
}

/**
 * A pino logger whose every line passes through the secret scrubber before it is written; on a
 * terminal, as readable lines (see `chooseLogFormat`). A given `destination` (tests) gets JSON.
 * Lines written while a request is served carry its `reqId`, and its `tenantId` and `env` once
 * `setLogTenantReader` has said where to find them.
 */
export function createRootLogger(config: AppConfig, destination?: DestinationStream): Logger {
  const { format, notice }: StdoutFormat = destination ? {} : stdoutFormat(process.stdout, config.nodeEnv);
  // Synchronous on a terminal: lines stay in order with stderr, and none is lost at process.exit.
  const target = destination ?? (format ? pino.destination({ dest: 1, sync: true }) : pino.destination(1));
  const tenant: { read?: TenantReader } = {};
  const logger = pino(
    {
      level: config.logLevel,
      base: { service: 'billing' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError },
      mixin: requestContextMixin(() => tenant.read),
    },
    scrubbingDestination(target, createSecretScrubber(config.secretValues), format),
  );
  tenantReaders.set(logger, tenant);
  if (notice) logger.info(notice);
  return logger;
}

/**
 * Says where a request's tenant is in its CLS store, for the `tenantId` and `env` of the lines
 * logged while it is served. The composition root calls it (observability cannot know the identity
 * module); a logger `createRootLogger` did not make (a benchmark's plain pino) is left as it is.
 */
export function setLogTenantReader(logger: Logger, read: TenantReader): void {
  const tenant = tenantReaders.get(logger);
  if (tenant) tenant.read = read;
}
