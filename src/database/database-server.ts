import type { AppConfig } from '../config/app-config.js';
import { assertDatabaseReachable } from './database-reachable.js';
import { type DatabaseServer, startEmbeddedDatabase } from './embedded-database.js';

/** `DATABASE_URL` when configured; otherwise a real Postgres embedded under the data directory. */
export async function resolveDatabaseServer(
  config: AppConfig,
  log: (message: string) => void,
  role: 'service' | 'cli' = 'service',
): Promise<DatabaseServer> {
  if (config.databaseUrl) {
    await assertDatabaseReachable(config.databaseUrl, { log });
    return { url: config.databaseUrl, shared: true, stop: async () => undefined };
  }
  return startEmbeddedDatabase({ dataDir: config.dataDir, log, role });
}
