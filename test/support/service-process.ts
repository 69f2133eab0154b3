import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findFreePort } from '../../src/database/free-port.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
  waitForHealth(timeoutMs?: number): Promise<number>;
}

/** A scratch working directory, so no developer's .env or .data leaks into a test. */
export const scratchDir = () => mkdtempSync(path.join(os.tmpdir(), 'billing-proc-'));

/** Runs a built entry point (`dist/src/main.js`, the CLI) in its own process, as a newcomer would. */
export function runNode(entry: string, args: string[], env: Record<string, string>, cwd: string) {
  const child = spawn(process.execPath, [path.join(ROOT, entry), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** Stops at once on SIGTERM unless a test sets SHUTDOWN_DRAIN_SECONDS (the default drain is 5 s). */
export async function startService(env: Record<string, string>, cwd = scratchDir()): Promise<ServiceProcess> {
  const port = await findFreePort();
  const run = runNode('dist/src/main.js', [], { PORT: String(port), SHUTDOWN_DRAIN_SECONDS: '0', ...env }, cwd);
  return {
    child: run.child,
    port,
    exited: run.exited,
    output: () => run.stdout() + run.stderr(),
    async waitForHealth(timeoutMs = 15_000) {
      const started = Date.now();
      while (Date.now() - started < timeoutMs) {
        if (run.child.exitCode !== null) throw new Error(`service exited early:\n${run.stdout()}${run.stderr()}`);
        try {
          const response = await fetch(`http://127.0.0.1:${port}/health`);
          if (response.status === 200) return Date.now() - started;
        } catch {
          /* not listening yet */
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no healthy answer within ${timeoutMs} ms:\n${run.stdout()}${run.stderr()}`);
    },
  };
}
