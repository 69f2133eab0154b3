import { createRequire } from 'node:module';
import type { PrettyOptions } from 'pino-pretty';

export type LogFormat = 'pretty' | 'json';

/**
 * Readable lines for a person at a terminal; JSON lines for whatever collects logs (a pipe, a file,
 * a container runtime) and always in production. `npm start | cat` gives JSON in a terminal.
 */
export function chooseLogFormat(stdout: { isTTY?: boolean }, nodeEnv: string): LogFormat {
  return stdout.isTTY === true && nodeEnv !== 'production' ? 'pretty' : 'json';
}

/** Turns one serialized (already scrubbed) JSON line into a readable one. */
export type LineFormatter = (line: string) => string;

type MessageFormat = Extract<PrettyOptions['messageFormat'], (...args: never[]) => string>;

/** Keys the message line shows itself, or that every line repeats. Only the request line has `req`/`res`. */
const SHOWN_IN_MESSAGE = [
  'pid',
  'hostname',
  'service',
  'context',
  'reqId',
  'tenantId',
  'env',
  'req',
  'res',
  'responseTime',
];

const text = (value: unknown) =>
  value === undefined || value === null ? undefined : typeof value === 'string' ? value : JSON.stringify(value);

/**
 * `[Context] message  reqId tenant/env`; the "request completed" line reads `GET /path 200 in 3 ms`.
 * What else a line carries (an `err` with its stack, other fields) follows as pino-pretty prints it.
 */
export const formatMessage: MessageFormat = (log, messageKey, _level, { colors }) => {
  const context = typeof log.context === 'string' ? `[${log.context}] ` : '';
  const req = log.req as { method?: string; url?: string } | undefined;
  const res = log.res as { statusCode?: number } | undefined;
  const message =
    req && res
      ? `${req.method} ${req.url} ${res.statusCode} in ${text(log.responseTime)} ms`
      : (text(log[messageKey]) ?? '');
  const tenant = [text(log.tenantId), text(log.env)].filter(Boolean).join('/');
  const scope = [text(log.reqId), tenant].filter(Boolean).join(' ');
  return `${context}${message}${scope ? colors.gray(`  ${scope}`) : ''}`;
};

export const PRETTY_OPTIONS: PrettyOptions = {
  translateTime: 'SYS:HH:MM:ss.l',
  ignore: SHOWN_IN_MESSAGE.join(','),
  messageFormat: formatMessage,
};

type PinoPretty = typeof import('pino-pretty');
type Load = (name: string) => unknown;

/**
 * pino-pretty's synchronous formatter (`prettyFactory`: a function from line to line, no stream or
 * worker between pino and the scrubber), or why there is none: it is a dev dependency, so the
 * production image (`npm prune --omit=dev`) has no pino-pretty.
 */
export function loadPrettyFormatter(load: Load = createRequire(import.meta.url)): LineFormatter | Error {
  try {
    const { prettyFactory } = load('pino-pretty') as PinoPretty;
    return prettyFactory(PRETTY_OPTIONS);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

export interface StdoutFormat {
  /** Absent: JSON lines. */
  format?: LineFormatter;
  /** To log once the logger exists: a terminal gets JSON because pino-pretty could not be loaded. */
  notice?: string;
}

/** How standard output is written: `chooseLogFormat`, falling back to JSON without pino-pretty. */
export function stdoutFormat(stdout: { isTTY?: boolean }, nodeEnv: string, load?: Load): StdoutFormat {
  if (chooseLogFormat(stdout, nodeEnv) === 'json') return {};
  const format = loadPrettyFormatter(load);
  if (format instanceof Error)
    return { notice: `pino-pretty could not be loaded (${format.message.split('\n')[0]}); logging JSON` };
  return { format };
}
