import { spawn } from 'node:child_process';
import path from 'node:path';
import { findFreePort } from '../../src/database/free-port.js';
import { scratchDir } from '../support/service-process.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Ctrl-C in a terminal signals the whole foreground process group: the service and the embedded
 * Postgres it started. Here the service leads its own group, and the group gets the SIGINT.
 */
describe('Ctrl-C in a terminal', () => {
  it('stops with "shutting down" and "stopped", exit 0, and no stack trace, though Postgres got the signal too', async () => {
    const port = await findFreePort();
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/main.js')], {
      cwd: scratchDir(),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), ENABLE_BILLING: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await vi.waitFor(() => expect(output).toContain(`listening on http://localhost:${port}`), {
      timeout: 45_000,
      interval: 100,
    });

    process.kill(-child.pid!, 'SIGINT');

    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"shutting down"');
    expect(output).toContain('"msg":"stopped"');
    expect(output).not.toContain('"stack"');
    expect(output).not.toMatch(/^\s+at /m);
  }, 60_000);
});
