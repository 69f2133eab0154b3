import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Says what to do; start-up prints it without a stack. */
export class EmulatorStateInUseError extends Error {
  override name = 'EmulatorStateInUseError';
}

/**
 * One emulator at a time writes a state file: a second one (say `npm run stripe:emulator` on the
 * service's DATA_DIR) would overwrite the first's customers and subscriptions. A lock left by a
 * process that died is taken over.
 */
export function lockStateFile(file: string): { release(): void } {
  const lock = `${file}.lock`;
  mkdirSync(path.dirname(file), { recursive: true });
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx', mode: 0o600 });
      return { release: () => rmSync(lock, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(readFileSync(lock, 'utf8'));
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
      throw new EmulatorStateInUseError(
        `the Stripe emulator state ${file} is in use by process ${holder}: stop that emulator, or point the service at it with STRIPE_SECRET_KEY and STRIPE_API_BASE`,
      );
    }
    rmSync(lock, { force: true });
  }
}
