import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

export interface RunningPostmaster {
  pid: number;
  port: number;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    try {
      return execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' });
    } catch {
      return undefined;
    }
  }
}

/**
 * After a reboot or a container restart the pid in a stale `postmaster.pid` may belong to an
 * unrelated process; only a postgres serving this very data directory counts as ours.
 */
export function isPostmasterOf(pid: number, pgData: string): boolean {
  if (!isProcessAlive(pid)) return false;
  const commandLine = commandLineOf(pid);
  return !!commandLine && commandLine.includes('postgres') && commandLine.includes(pgData);
}

/** `postmaster.pid` holds the server's pid on line 1 and its port on line 4. */
export function readPostmaster(pgData: string): RunningPostmaster | undefined {
  try {
    const lines = readFileSync(path.join(pgData, 'postmaster.pid'), 'utf8').split('\n');
    return { pid: Number(lines[0]), port: Number(lines[3]) };
  } catch {
    return undefined;
  }
}

export function removeStalePidFile(pgData: string): void {
  rmSync(path.join(pgData, 'postmaster.pid'), { force: true });
}

/** Fast shutdown first; if the server is still up after the grace period, an immediate one. */
export async function stopPostmaster(pid: number, graceMs = 10_000): Promise<void> {
  const deadline = Date.now() + graceMs;
  process.kill(pid, 'SIGINT');
  while (isProcessAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isProcessAlive(pid)) process.kill(pid, 'SIGQUIT');
  while (isProcessAlive(pid)) await new Promise((r) => setTimeout(r, 100));
}
