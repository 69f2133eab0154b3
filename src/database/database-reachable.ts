import pg from 'pg';
import { maskDatabaseUrl } from '../config/config-summary.js';
import { DatabaseStartupError } from './database-startup.error.js';

/** Postgres errors that waiting will not fix. */
const PERMANENT: Record<string, string> = {
  '28P01': 'the password was refused',
  '28000': 'the user may not connect',
  '3D000': 'the database does not exist (create it, or name another in DATABASE_URL)',
};

/**
 * Start-up's first look at a configured server: a server still starting (docker compose) gets a
 * few seconds; a wrong password or database fails at once; either way the message says what to do,
 * instead of TypeORM retrying in silence for half a minute.
 */
export async function assertDatabaseReachable(
  url: string,
  options: { attempts?: number; delayMs?: number; log?: (message: string) => void } = {},
): Promise<void> {
  const { attempts = 6, delayMs = 1_000, log = () => undefined } = options;
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      const { code, message } = error as { code?: string; message: string };
      if (code && PERMANENT[code])
        throw new DatabaseStartupError(
          `cannot use Postgres at ${maskDatabaseUrl(url)}: ${PERMANENT[code]}. Check DATABASE_URL.`,
        );
      last = code ?? message;
      if (attempt < attempts) log(`Postgres at ${maskDatabaseUrl(url)} is not answering (${last}); retrying`);
    } finally {
      await client.end().catch(() => undefined);
    }
    if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  throw new DatabaseStartupError(
    `cannot reach Postgres at ${maskDatabaseUrl(url)} (${last}, for ${Math.round(((attempts - 1) * delayMs) / 1000)} s). ` +
      'Check that the server is running and DATABASE_URL is right, or unset DATABASE_URL to use the embedded Postgres.',
  );
}
