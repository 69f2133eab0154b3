import pino, { type DestinationStream, type Logger } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { createSecretScrubber } from './secret-scrubber.js';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["stripe-signature"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

/** A pino logger whose every line passes through the secret scrubber before it is written. */
export function createRootLogger(config: AppConfig, destination: DestinationStream = pino.destination(1)): Logger {
  const scrub = createSecretScrubber(config.secretValues);
  const scrubbed: DestinationStream = { write: (line: string) => destination.write(scrub(line)) };
  return pino(
    {
      level: config.logLevel,
      base: { service: 'billing' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    scrubbed,
  );
}
