import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

/** Sets `NAME=value` lines in an env file, keeping every other line; the file is readable by its owner only. */
export function updateEnvFile(file: string, values: Record<string, string>): void {
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  const pending = new Map(Object.entries(values));
  const updated = lines.map((line) => {
    const name = /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1];
    if (!name || !pending.has(name)) return line;
    const value = pending.get(name)!;
    pending.delete(name);
    return `${name}=${value}`;
  });
  while (updated.length > 0 && updated.at(-1) === '') updated.pop();
  for (const [name, value] of pending) updated.push(`${name}=${value}`);
  writeFileSync(file, `${updated.join('\n')}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}
