import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { DatabaseOutage } from './database-outage.js';

type Listener = (payload: string) => void;

const RECONNECT_MS = 1_000;

/**
 * Postgres LISTEN/NOTIFY on one dedicated connection, so a change made by any instance reaches
 * every instance's caches in milliseconds. Reconnects on its own; on reconnect every listener is
 * told (payload '*') that it may have missed something.
 */
@Injectable()
export class PgNotifications implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('PgNotifications');
  private readonly listeners = new Map<string, Set<Listener>>();
  private client?: pg.Client;
  private stopped = false;
  private listening: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly outage: DatabaseOutage,
  ) {}

  on(channel: string, listener: Listener): void {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(listener);
    const client = this.client;
    // One query at a time on a pg client: listeners added in the same tick queue their LISTEN.
    if (client)
      this.listening = this.listening
        .then(() => client.query(`LISTEN "${channel}"`))
        .then(
          () => undefined,
          () => undefined,
        );
  }

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const options = this.dataSource.options as { url?: string };
    const client = new pg.Client({ connectionString: options.url, keepAlive: true });
    client.on('notification', ({ channel, payload }) => this.dispatch(channel, payload ?? ''));
    // While Postgres is down, the outage is logged once (DatabaseOutage), not at every retry.
    client.on('error', (error) => {
      if (!this.outage.absorbs(error)) this.logger.warn({ err: error }, 'notification connection lost');
    });
    client.on('end', () => {
      if (this.stopped) return;
      setTimeout(() => void this.connect().catch(() => undefined), RECONNECT_MS).unref();
    });
    try {
      await client.connect();
      for (const channel of this.listeners.keys()) await client.query(`LISTEN "${channel}"`);
      this.client = client;
      // Whatever happened before this connection listened may have been missed: everyone starts afresh.
      for (const channel of this.listeners.keys()) this.dispatch(channel, '*');
    } catch (error) {
      if (!this.outage.absorbs(error)) this.logger.warn({ err: error }, 'could not listen for notifications; retrying');
      await client.end().catch(() => undefined);
    }
  }

  private dispatch(channel: string, payload: string): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(payload);
  }
}
