import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { postgresExited } from '../internals/embedded-postgres-process.js';
import { loadEmbeddedPostgres } from './embedded-postgres.loader.js';
import { DatabaseStartupError } from './database-startup.error.js';
import { findFreePort } from './free-port.js';
import {
  isPostmasterOf,
  isProcessAlive,
  readPostmaster,
  removeStalePidFile,
  stopPostmaster,
} from './postmaster-pid.js';
import { embeddedBinariesDir, grantPostgresUserPassage } from './postgres-user-access.js';

export interface DatabaseServer {
  url: string;
  /** True when another live process of this service started the server and owns its lifecycle. */
  shared: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedDatabaseOptions {
  dataDir: string;
  /** A `cli` run shares a running server; a `service` owns its server (the default). */
  role?: OwnerRole;
  databaseName?: string;
  /** Remove the data directory on stop (tests). */
  ephemeral?: boolean;
  /** A fixed port instead of a free one: an outage drill restarts the server where its clients look. */
  port?: number;
  log?: (message: string) => void;
}

const USER = 'postgres';
const LOG_TAIL = 30;

function readOrCreatePassword(dataDir: string): string {
  const file = path.join(dataDir, 'embedded-postgres.password');
  if (!existsSync(file)) writeFileSync(file, randomBytes(18).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

type OwnerRole = 'service' | 'cli';

interface Owner {
  pid: number;
  role: OwnerRole;
}

const ownerFile = (dataDir: string) => path.join(dataDir, 'embedded-postgres.owner');

function readOwner(dataDir: string): Owner | undefined {
  try {
    return JSON.parse(readFileSync(ownerFile(dataDir), 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

const OWNER_WAIT_MS = 60_000;

/** Waits for a short-lived CLI run that started the server to finish (it stops the server on exit). */
async function waitForExit(pid: number, log: (message: string) => void): Promise<void> {
  log(`embedded Postgres belongs to a CLI run (pid ${pid}); waiting for it to finish`);
  const deadline = Date.now() + OWNER_WAIT_MS;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline)
      throw new DatabaseStartupError(
        `the CLI run (pid ${pid}) holding the embedded Postgres did not finish within 60 s`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ensureDatabase(url: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/**
 * Starts a real Postgres from the `embedded-postgres` package, keeping its data under `dataDir`.
 * Recovers from a previous run killed with SIGKILL (its postmaster left running, or a stale pid file)
 * and shares the server with a live sibling process (the CLI while `npm start` runs).
 */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<DatabaseServer> {
  const { dataDir, databaseName = 'billing', log = () => undefined } = options;
  const pgData = path.join(dataDir, 'pg');
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  // As root, Postgres runs as the `postgres` user, which must be able to reach its data directory.
  if (process.getuid?.() === 0) chmodSync(dataDir, 0o755);
  const opened = grantPostgresUserPassage([dataDir, embeddedBinariesDir()]);
  if (opened.length > 0) log(`granted the postgres user passage (o+x) through: ${opened.join(', ')}`);
  const password = readOrCreatePassword(dataDir);
  const urlFor = (port: number, db: string) =>
    `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;

  const role = options.role ?? 'service';
  let running = readPostmaster(pgData);
  const owner = readOwner(dataDir);
  if (
    running &&
    isPostmasterOf(running.pid, pgData) &&
    owner &&
    owner.pid !== process.pid &&
    isProcessAlive(owner.pid)
  ) {
    if (role === 'cli') {
      log(`embedded Postgres already running for process ${owner.pid}; sharing it on port ${running.port}`);
      return { url: urlFor(running.port, databaseName), shared: true, stop: async () => undefined };
    }
    if (owner.role === 'service') {
      throw new DatabaseStartupError(
        `another service (pid ${owner.pid}) is already using ${dataDir}; stop it, or give this one its own DATA_DIR`,
      );
    }
    await waitForExit(owner.pid, log);
    running = readPostmaster(pgData);
  }
  if (running && isPostmasterOf(running.pid, pgData)) {
    log(`embedded Postgres (pid ${running.pid}) was left running by a process that died; stopping it`);
    await stopPostmaster(running.pid);
  } else if (running) {
    log('removing a stale postmaster.pid left by a process that died');
    removeStalePidFile(pgData);
  }

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const port = options.port ?? (await findFreePort());
  const logTail: string[] = [];
  const remember = (message: unknown) => {
    logTail.push(...String(message).split('\n').filter(Boolean));
    logTail.splice(0, Math.max(0, logTail.length - LOG_TAIL));
  };
  const server = new EmbeddedPostgres({
    databaseDir: pgData,
    port,
    user: USER,
    password,
    persistent: !options.ephemeral,
    createPostgresUser: true,
    authMethod: 'scram-sha-256',
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: remember,
    onError: remember,
  });

  const initialised = existsSync(path.join(pgData, 'PG_VERSION'));
  if (!initialised && existsSync(pgData) && readdirSync(pgData).length > 0) {
    throw new DatabaseStartupError(
      `${pgData} is not empty but holds no Postgres cluster (no PG_VERSION); move it aside`,
    );
  }
  try {
    if (!initialised) {
      log(`initialising embedded Postgres in ${pgData}`);
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'the server exited during start-up';
    throw new DatabaseStartupError(
      `embedded Postgres failed to start: ${reason}\n--- Postgres log ---\n${logTail.join('\n')}`,
    );
  }
  writeFileSync(ownerFile(dataDir), JSON.stringify({ pid: process.pid, role } satisfies Owner));
  await ensureDatabase(urlFor(port, 'postgres'), databaseName);
  log(`embedded Postgres ready on 127.0.0.1:${port}, data in ${pgData}`);

  return {
    url: urlFor(port, databaseName),
    shared: false,
    stop: async () => {
      if (!postgresExited(server)) await server.stop();
      rmSync(ownerFile(dataDir), { force: true });
      if (options.ephemeral) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
