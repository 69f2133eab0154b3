import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { isDatabaseUnavailable } from './database-unavailable.js';

/** How often a down database is tried again to tell when it is back; requests never wait for this. */
const PROBE_EVERY_MS = 250;

/**
 * Notices when Postgres cannot be reached and logs the outage twice: once when the first request, job
 * or idle connection meets it (error), once when a probe through the pool answers again (info, with
 * how long it lasted). In between, failures are counted, not logged: a 30 s outage is two lines, not
 * one stack trace per request. Requests keep using the pool meanwhile, so they recover as soon as
 * Postgres does, whatever the probe's pace.
 */
@Injectable()
export class DatabaseOutage implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private since?: number;
  private failures = 0;
  private probe?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    // An idle pooled connection that Postgres ends (a shutdown sends 57P01) is the earliest sign.
    this.pool()?.on('error', (error) => this.absorbs(error));
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.probe);
  }

  /** True while an outage is open. */
  get down(): boolean {
    return this.since !== undefined;
  }

  /**
   * Takes an error that says the database is unreachable (true: the caller need not log it; the
   * first one opens the outage); any other error is left to the caller (false).
   */
  absorbs(error: unknown): boolean {
    if (!isDatabaseUnavailable(error)) return false;
    this.failures++;
    if (this.since !== undefined || this.stopped) return true;
    this.since = Date.now();
    const pool = this.pool();
    this.logger.error(
      {
        reason: reasonOf(error),
        pool: pool && { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount },
      },
      'database unreachable: answering 503 database_unavailable until it answers again',
    );
    this.scheduleProbe();
    return true;
  }

  private scheduleProbe(): void {
    this.probe = setTimeout(() => void this.check(), PROBE_EVERY_MS);
    this.probe.unref();
  }

  private async check(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      return this.scheduleProbe();
    }
    const downtimeMs = Date.now() - this.since!;
    this.logger.log(
      { downtimeMs, failures: this.failures },
      `database reachable again after ${downtimeMs} ms (${this.failures} failures meanwhile)`,
    );
    this.since = undefined;
    this.failures = 0;
  }

  private pool(): Pool | undefined {
    return (this.dataSource.driver as PostgresDriver).master as Pool | undefined;
  }
}

/** The code and message of the first error in the chain: enough to tell refused from timed out. */
function reasonOf(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return [code, message].filter((part) => typeof part === 'string' && part).join(': ') || String(error);
}
