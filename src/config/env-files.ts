import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Loads `.env.local` (written by `npm run stripe:setup`) and then `.env`. Variables already in the
 * environment win over both, and `.env.local` wins over `.env`, because loading never overrides.
 */
export function loadEnvFiles(cwd = process.cwd()): string[] {
  const loaded: string[] = [];
  for (const name of ['.env.local', '.env']) {
    const file = path.join(cwd, name);
    if (existsSync(file)) {
      process.loadEnvFile(file);
      loaded.push(name);
    }
  }
  return loaded;
}
