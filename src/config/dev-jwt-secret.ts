import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Outside production, a machine with no identity provider still needs to verify the tokens that
 * `token:mint` issues. Rather than a default secret (which would be the same everywhere), each
 * checkout generates its own once and keeps it in the data directory.
 */
export function ensureDevJwtSecret(env: NodeJS.ProcessEnv, dataDir: string): boolean {
  if (env.NODE_ENV === 'production' || env.JWT_SECRET || env.JWT_JWKS_URL) return false;
  const file = path.join(dataDir, 'dev-jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  }
  env.JWT_SECRET = readFileSync(file, 'utf8').trim();
  return true;
}
