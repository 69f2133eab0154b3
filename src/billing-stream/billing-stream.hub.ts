import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type MessageEvent,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { Observable } from 'rxjs';
import { CommonError } from '../common/errors/common.errors.js';
import { AppConfig } from '../config/app-config.js';
import { PgNotifications } from '../database/pg-notifications.js';
import { BILLING_EVENTS_CHANNEL, streamKey } from './billing-events.channel.js';
import { BillingEventsRepository } from './billing-events.repository.js';
import { STREAM_CLIENTS, STREAM_EVENTS_SENT } from './billing-stream-metrics.js';

const PAGE = 200;
/** A notification can be lost with its connection; every group is read this often regardless. */
export const SAFETY_SWEEP_MS = 30_000;
/** Reads at once when every group must catch up (the notification connection came back). */
const SWEEP_CONCURRENCY = 4;

interface Client {
  /** The last event id sent (or skipped, for a client that started from now). */
  cursor: bigint;
  send(event: MessageEvent): void;
  end(): void;
}

/** The clients of one tenant and env on this instance: one read of the backlog serves them all. */
interface Group {
  key: string;
  tenantId: string;
  env: string;
  clients: Set<Client>;
  running: boolean;
  again: boolean;
}

/**
 * Every stream client on this instance, by tenant and env. A NOTIFY from any instance says which
 * tenant has news; its group reads the backlog once, after its furthest-behind client's cursor, and
 * each client gets what is after its own: every event once, in order, whether live, replayed or
 * announced twice. A read that fails ends the group's streams: clients reconnect with
 * Last-Event-ID and are replayed from there.
 */
@Injectable()
export class BillingStreamHub implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('BillingStream');
  private readonly groups = new Map<string, Group>();
  private closing = false;
  private sweep?: NodeJS.Timeout;

  constructor(
    private readonly events: BillingEventsRepository,
    private readonly notifications: PgNotifications,
    private readonly config: AppConfig,
    @InjectMetric(STREAM_CLIENTS) private readonly connected: Gauge<string>,
    @InjectMetric(STREAM_EVENTS_SENT) private readonly sent: Counter<string>,
  ) {}

  onModuleInit(): void {
    this.notifications.on(BILLING_EVENTS_CHANNEL, (key) => {
      if (key === '*') void this.pumpAll();
      else {
        const group = this.groups.get(key);
        if (group) void this.pump(group);
      }
    });
    this.sweep = setInterval(() => void this.pumpAll(), SAFETY_SWEEP_MS).unref();
  }

  /** Open streams end so the HTTP server can close; clients reconnect elsewhere with Last-Event-ID. */
  beforeApplicationShutdown(): void {
    this.closing = true;
    clearInterval(this.sweep);
    for (const group of this.groups.values()) for (const client of [...group.clients]) client.end();
  }

  /**
   * The events after `afterId` (from now when null), then each new one, with keep-alive comments
   * between. The starting point is fixed before the response starts, so whatever is published once
   * a client's stream is open reaches it.
   */
  async stream(tenantId: string, env: string, afterId: string | null): Promise<Observable<MessageEvent>> {
    if (this.closing) throw new CommonError('service_unavailable', 'This instance is shutting down; reconnect.');
    const start = BigInt(afterId ?? (await this.events.latestId(tenantId, env)));
    return new Observable<MessageEvent>((subscriber) => {
      if (this.closing) return subscriber.complete();
      const client: Client = {
        cursor: start,
        send: (event) => subscriber.next(event),
        end: () => subscriber.complete(),
      };
      const group = this.join(tenantId, env, client);
      const keepAlive = setInterval(
        () => subscriber.next({ comment: 'keep-alive' }),
        this.config.streamKeepAliveSeconds * 1000,
      );
      subscriber.next({ comment: 'connected' });
      void this.pump(group);
      return () => {
        clearInterval(keepAlive);
        this.leave(group, client);
      };
    });
  }

  private join(tenantId: string, env: string, client: Client): Group {
    const key = streamKey(tenantId, env);
    let group = this.groups.get(key);
    if (!group)
      this.groups.set(key, (group = { key, tenantId, env, clients: new Set(), running: false, again: false }));
    group.clients.add(client);
    this.connected.inc();
    return group;
  }

  private leave(group: Group, client: Client): void {
    if (!group.clients.delete(client)) return;
    this.connected.dec();
    if (group.clients.size === 0 && this.groups.get(group.key) === group) this.groups.delete(group.key);
  }

  private async pumpAll(): Promise<void> {
    const queue = [...this.groups.values()];
    const worker = async () => {
      for (let group = queue.shift(); group; group = queue.shift()) await this.pump(group);
    };
    await Promise.all(Array.from({ length: SWEEP_CONCURRENCY }, worker));
  }

  /** One read at a time per group; news arriving meanwhile makes it read again. */
  private async pump(group: Group): Promise<void> {
    if (group.running) {
      group.again = true;
      return;
    }
    group.running = true;
    try {
      do {
        group.again = false;
        let from: bigint | undefined;
        for (const client of group.clients) if (from === undefined || client.cursor < from) from = client.cursor;
        if (from === undefined) break; // every client has left
        const batch = await this.events.after(group.tenantId, group.env, from.toString(), PAGE);
        for (const client of [...group.clients]) {
          // Joined during the read, further back than it started: the next pass starts from it.
          if (client.cursor < from) group.again = true;
          else this.deliver(client, batch);
        }
        if (batch.length === PAGE) group.again = true;
      } while (group.again);
    } catch (error) {
      this.logger.warn(
        { err: error, tenantId: group.tenantId, env: group.env },
        'billing stream read failed; ending its streams so clients resume with Last-Event-ID',
      );
      for (const client of [...group.clients]) client.end();
    } finally {
      group.running = false;
    }
  }

  private deliver(client: Client, batch: Awaited<ReturnType<BillingEventsRepository['after']>>): void {
    for (const event of batch) {
      const id = BigInt(event.id);
      if (id <= client.cursor) continue;
      client.send({ id: event.id, data: event });
      client.cursor = id;
      this.sent.inc();
    }
  }
}
