import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { createApp } from './app.factory.js';
import { ServerDrain } from './common/http/server-drain.js';
import { configSummary } from './config/config-summary.js';
import { DatabaseStartupError } from './database/database-startup.error.js';
import { resolveDatabaseServer } from './database/database-server.js';
import type { DatabaseServer } from './database/embedded-database.js';
import { createRootLogger } from './observability/logger.factory.js';
import { loadRuntimeConfig } from './config/load-runtime-config.js';
import { resolveStripe, type StripeRuntime } from './startup/resolve-stripe.js';
import { EmulatorStateInUseError } from './stripe-emulator/state-lock.js';

const SHUTDOWN_TIMEOUT_MS = 15_000;

/**
 * On SIGTERM, drain first: readiness turns 503 and the listener keeps serving for
 * SHUTDOWN_DRAIN_SECONDS, telling each kept-open connection to close, while the load balancer moves
 * traffic away. Then stop accepting, let in-flight requests finish, close the pool, and stop the
 * local Stripe and Postgres. Ctrl-C (SIGINT) has no load balancer to wait for and skips the drain; a
 * second signal cuts a drain short.
 */
function stopGracefully(
  app: NestFastifyApplication,
  database: DatabaseServer,
  stripe: StripeRuntime,
  logger: Logger,
  drainSeconds: number,
) {
  let stopping = false;
  let endDrain: () => void = () => undefined;
  return async (signal: NodeJS.Signals) => {
    if (stopping) return endDrain();
    stopping = true;
    const drainMs = signal === 'SIGTERM' ? drainSeconds * 1000 : 0;
    logger.info({ signal, drainSeconds: drainMs / 1000 }, 'shutting down');
    setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, drainMs + SHUTDOWN_TIMEOUT_MS).unref();
    if (drainMs > 0) {
      app.get(ServerDrain).begin();
      await new Promise<void>((resolve) => {
        endDrain = resolve;
        setTimeout(resolve, drainMs);
      });
      logger.info('drained: closing the listener');
    }
    await app.close();
    await stripe.stop();
    await database.stop();
    logger.info('stopped');
    process.exit(0);
  };
}

async function main(): Promise<void> {
  const { config, envFiles, generatedJwtSecret } = loadRuntimeConfig();
  const logger = createRootLogger(config);
  logger.info({ config: configSummary(config), envFiles }, 'configuration loaded');
  if (generatedJwtSecret)
    logger.warn('JWT_SECRET is not set: using a development secret generated in the data directory');

  const database = await resolveDatabaseServer(config, (message) => logger.info(message));
  let stripe: StripeRuntime | undefined;
  let app: NestFastifyApplication | undefined;
  try {
    stripe = await resolveStripe(config, (message) => logger.warn(message));
    app = await createApp(config, database.url, logger, stripe.settings);
    const stop = stopGracefully(app, database, stripe, logger, config.shutdownDrainSeconds);
    process.on('SIGINT', (signal) => void stop(signal));
    process.on('SIGTERM', (signal) => void stop(signal));
    await app.listen({ port: config.port, host: '0.0.0.0' });
  } catch (error) {
    await app?.close().catch(() => undefined);
    await stripe?.stop();
    await database.stop();
    throw error;
  }
  logger.info(`listening on http://localhost:${config.port}`);
}

main().catch((error: unknown) => {
  // An error that already says what to do is shown alone; anything else with its stack.
  const expected = error instanceof DatabaseStartupError || error instanceof EmulatorStateInUseError;
  process.stderr.write(
    `start-up failed: ${error instanceof Error ? (expected ? error.message : (error.stack ?? error.message)) : String(error)}\n`,
  );
  process.exit(1);
});
