import { spawn } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedDatabase } from '../../src/database/embedded-database.js';
import { grantPostgresUserPassage } from '../../src/database/postgres-user-access.js';
import { isProcessAlive, readPostmaster } from '../../src/database/postmaster-pid.js';
import { startTestApp } from '../support/test-app.js';

const scratch = () => mkdtempSync(path.join(os.tmpdir(), 'billing-epg-'));

describe('embedded Postgres', () => {
  it('never runs initdb over a non-empty directory that holds no cluster', async () => {
    const dataDir = scratch();
    mkdirSync(path.join(dataDir, 'pg'));
    writeFileSync(path.join(dataDir, 'pg', 'precious.txt'), 'do not lose me');
    await expect(startEmbeddedDatabase({ dataDir })).rejects.toThrow(/not empty but holds no Postgres cluster/);
  });

  it('removes a stale postmaster.pid whose process is gone, then starts', async () => {
    const dataDir = scratch();
    const first = await startEmbeddedDatabase({ dataDir });
    await first.stop();
    writeFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), '999999\n/x\n0\n5432\n');
    const messages: string[] = [];
    const second = await startEmbeddedDatabase({ dataDir, log: (m) => messages.push(m) });
    expect(messages.join('\n')).toContain('stale postmaster.pid');
    await second.stop();
  });

  const ownedBy = (dataDir: string, pid: number, role: 'service' | 'cli') =>
    writeFileSync(path.join(dataDir, 'embedded-postgres.owner'), JSON.stringify({ pid, role }));

  it('lets a CLI run share the server of a live service', async () => {
    const dataDir = scratch();
    const owner = await startEmbeddedDatabase({ dataDir });
    const service = spawn('sleep', ['30']);
    ownedBy(dataDir, service.pid!, 'service');
    const shared = await startEmbeddedDatabase({ dataDir, role: 'cli' });
    expect(shared.shared).toBe(true);
    expect(new URL(shared.url).port).toBe(String(readPostmaster(path.join(dataDir, 'pg'))!.port));
    await shared.stop();
    expect(readPostmaster(path.join(dataDir, 'pg'))).toBeDefined();
    service.kill();
    await owner.stop();
  });

  it('refuses a second service on the same data directory', async () => {
    const dataDir = scratch();
    const owner = await startEmbeddedDatabase({ dataDir });
    const service = spawn('sleep', ['30']);
    ownedBy(dataDir, service.pid!, 'service');
    await expect(startEmbeddedDatabase({ dataDir })).rejects.toThrow(/another service \(pid \d+\) is already using/);
    service.kill();
    await owner.stop();
  });

  it('makes a service wait for a CLI run that holds the server, then start its own', async () => {
    const dataDir = scratch();
    const cliServer = await startEmbeddedDatabase({ dataDir });
    const cli = spawn('sleep', ['30']);
    ownedBy(dataDir, cli.pid!, 'cli');
    const messages: string[] = [];
    const starting = startEmbeddedDatabase({ dataDir, log: (m) => messages.push(m) });
    await new Promise((r) => setTimeout(r, 300));
    expect(messages.join()).toContain('waiting for it to finish');
    await cliServer.stop();
    cli.kill();
    const service = await starting;
    expect(service.shared).toBe(false);
    await service.stop();
  });

  it('leaves alone an unrelated process that now holds a stale pid', async () => {
    const dataDir = scratch();
    await (await startEmbeddedDatabase({ dataDir })).stop();
    const bystander = spawn('sleep', ['30']);
    writeFileSync(
      path.join(dataDir, 'pg', 'postmaster.pid'),
      `${bystander.pid}\n${path.join(dataDir, 'pg')}\n0\n5432\n`,
    );
    const server = await startEmbeddedDatabase({ dataDir });
    expect(bystander.exitCode).toBeNull();
    expect(bystander.killed).toBe(false);
    bystander.kill();
    await server.stop();
  });

  it('surfaces the server’s own log lines when it cannot start', async () => {
    const dataDir = scratch();
    await (await startEmbeddedDatabase({ dataDir })).stop();
    appendFileSync(path.join(dataDir, 'pg', 'postgresql.conf'), '\nshared_buffers = lots\n');
    await expect(startEmbeddedDatabase({ dataDir })).rejects.toThrow(/--- Postgres log ---[\s\S]*shared_buffers/);
  });

  it.runIf(process.getuid?.() === 0)('as root, opens a 0700 parent for the postgres user (search only)', () => {
    const parent = scratch();
    chmodSync(parent, 0o700);
    mkdirSync(path.join(parent, 'data'));
    const changed = grantPostgresUserPassage([path.join(parent, 'data')]);
    expect(changed).toContain(parent);
    expect(statSync(parent).mode & 0o777).toBe(0o701);
  });
});

describe('a Postgres that stopped by itself', () => {
  // Ctrl-C in a terminal reaches the embedded Postgres too (same process group), and it stops first.
  it('is stopped at once, not waited for', async () => {
    const dataDir = scratch();
    const server = await startEmbeddedDatabase({ dataDir, ephemeral: true });
    const postmaster = readPostmaster(path.join(dataDir, 'pg'))!;
    process.kill(postmaster.pid, 'SIGINT');
    await vi.waitFor(() => expect(isProcessAlive(postmaster.pid)).toBe(false), { timeout: 20_000, interval: 50 });
    await server.stop();
  });
});

describe('readiness', () => {
  it('answers 503 while the database is down, and liveness stays 200', async () => {
    const server = await startEmbeddedDatabase({ dataDir: scratch(), ephemeral: true });
    const t = await startTestApp({}, server.url);
    expect((await t.request('GET', '/health/ready')).status).toBe(200);
    await server.stop();
    const ready = await t.request('GET', '/health/ready');
    expect([ready.status, ready.body.error.code]).toEqual([503, 'service_unavailable']);
    expect((await t.request('GET', '/health')).status).toBe(200);
    await t.app.close();
  });
});
