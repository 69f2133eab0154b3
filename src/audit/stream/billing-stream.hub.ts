import { type BeforeApplicationShutdown, Injectable, Logger, type MessageEvent, type OnModuleInit } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { interval, map, merge, Observable, Subject, takeUntil } from 'rxjs';
import { AppConfig } from '../../config/app-config.js';
import { PgNotifications } from '../../database/pg-notifications.service.js';
import { BILLING_EVENTS_CHANNEL } from './billing-events.channel.js';
import { BillingEventsRepository } from './billing-events.repository.js';
import { STREAM_CLIENTS, STREAM_EVENTS_SENT } from './billing-stream-metrics.js';

const PAGE = 200;

interface Client {
  tenantId: string;
  env: string;
  /** The last event id sent (or skipped, for a client that starts from now). */
  cursor: string;
  running: boolean;
  again: boolean;
  closed: boolean;
  send(event: MessageEvent): void;
  end(): void;
}

/**
 * Every instance's stream clients, by tenant and env. A NOTIFY from any instance says which tenant
 * has news; each of its clients then reads the backlog after its own cursor, so a client gets every
 * event once, in order, whether it was live, replayed or announced twice.
 */
@Injectable()
export class BillingStreamHub implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('BillingStream');
  private readonly clients = new Map<string, Set<Client>>();
  private readonly shuttingDown = new Subject<void>();

  constructor(
    private readonly events: BillingEventsRepository,
    private readonly notifications: PgNotifications,
    private readonly config: AppConfig,
    @InjectMetric(STREAM_CLIENTS) private readonly connected: Gauge<string>,
    @InjectMetric(STREAM_EVENTS_SENT) private readonly sent: Counter<string>,
  ) {}

  onModuleInit(): void {
    this.notifications.on(BILLING_EVENTS_CHANNEL, (key) => {
      const targets = key === '*' ? [...this.clients.values()] : [this.clients.get(key) ?? new Set<Client>()];
      for (const group of targets) for (const client of group) void this.pump(client);
    });
  }

  /** Open streams end, so the HTTP server can close; clients reconnect elsewhere with Last-Event-ID. */
  beforeApplicationShutdown(): void {
    this.shuttingDown.next();
  }

  /**
   * The events after `afterId` (from now when null), then each new one, with keep-alive comments
   * between. The starting point is fixed before the response starts, so whatever a client publishes
   * once its stream is open reaches it.
   */
  async stream(tenantId: string, env: string, afterId: string | null): Promise<Observable<MessageEvent>> {
    const start = afterId ?? (await this.events.latestId(tenantId, env));
    const events = new Observable<MessageEvent>((subscriber) => {
      const key = `${tenantId}:${env}`;
      const client: Client = {
        tenantId,
        env,
        cursor: start,
        running: false,
        again: false,
        closed: false,
        send: (event) => subscriber.next(event),
        end: () => subscriber.complete(),
      };
      if (!this.clients.has(key)) this.clients.set(key, new Set());
      this.clients.get(key)!.add(client);
      this.connected.inc();
      subscriber.next({ comment: 'connected' });
      void this.pump(client);
      return () => {
        client.closed = true;
        this.connected.dec();
        const group = this.clients.get(key);
        group?.delete(client);
        if (group?.size === 0) this.clients.delete(key);
      };
    });
    const keepAlive = interval(this.config.streamKeepAliveSeconds * 1000).pipe(map((): MessageEvent => ({ comment: 'keep-alive' })));
    return merge(events, keepAlive).pipe(takeUntil(this.shuttingDown));
  }

  /** One read at a time per client; news arriving meanwhile makes it read again. */
  private async pump(client: Client): Promise<void> {
    if (client.running) {
      client.again = true;
      return;
    }
    client.running = true;
    try {
      do {
        client.again = false;
        const batch = await this.events.after(client.tenantId, client.env, client.cursor, PAGE);
        for (const event of batch) {
          if (client.closed) return;
          client.send({ id: event.id, data: event });
          client.cursor = event.id;
          this.sent.inc();
        }
        if (batch.length === PAGE) client.again = true;
      } while (client.again && !client.closed);
    } catch (error) {
      // The client reconnects with the last id it got and is replayed from there.
      this.logger.warn({ err: error }, 'billing stream read failed; closing the stream');
      client.end();
    } finally {
      client.running = false;
    }
  }
}
