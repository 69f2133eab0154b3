import type { MessageEvent } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';
import type { Observable } from 'rxjs';
import type { AppConfig } from '../config/app-config.js';
import type { PgNotifications } from '../database/pg-notifications.js';
import type { BillingEventPayload } from './billing-event.payload.js';
import type { BillingEventsRepository } from './billing-events.repository.js';
import { BillingStreamHub, SAFETY_SWEEP_MS } from './billing-stream.hub.js';

/** An in-memory backlog standing in for billing_events: the hub's logic, without a database. */
class Backlog {
  rows: BillingEventPayload[] = [];
  reads = 0;
  failNext = false;
  /** Resolves the read in progress when set: lets a test publish while a read is running. */
  gate?: Promise<void>;

  add(tenantId: string, env = 'test') {
    const event = {
      id: String(this.rows.length + 1),
      type: 'entitlement.updated',
      tenant_id: tenantId,
      env,
      occurred_at: new Date().toISOString(),
      data: {},
    } as BillingEventPayload;
    this.rows.push(event);
    return event;
  }

  repository(): BillingEventsRepository {
    return {
      latestId: async (tenantId: string, env: string) =>
        String(this.rows.filter((r) => r.tenant_id === tenantId && r.env === env).at(-1)?.id ?? 0),
      after: async (tenantId: string, env: string, afterId: string, limit: number) => {
        this.reads++;
        const snapshot = this.rows
          .filter((r) => r.tenant_id === tenantId && r.env === env && BigInt(r.id) > BigInt(afterId))
          .slice(0, limit);
        if (this.gate) await this.gate;
        if (this.failNext) {
          this.failNext = false;
          throw new Error('connection terminated');
        }
        return snapshot;
      },
    } as unknown as BillingEventsRepository;
  }
}

const metric = { inc: () => undefined, dec: () => undefined };

function setUp() {
  const backlog = new Backlog();
  const listeners: Array<(payload: string) => void> = [];
  const notifications = {
    on: (_channel: string, listener: (payload: string) => void) => listeners.push(listener),
  } as unknown as PgNotifications;
  const hub = new BillingStreamHub(
    backlog.repository(),
    notifications,
    { streamKeepAliveSeconds: 15 } as AppConfig,
    metric as unknown as Gauge<string>,
    metric as unknown as Counter<string>,
  );
  hub.onModuleInit();
  const notify = (payload: string) => listeners.forEach((listener) => listener(payload));
  return { backlog, hub, notify };
}

function collect(stream: Observable<MessageEvent>) {
  const ids: string[] = [];
  const state = { completed: false };
  const subscription = stream.subscribe({
    next: (event) => event.id && ids.push(String(event.id)),
    complete: () => (state.completed = true),
  });
  return { ids, state, subscription };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('BillingStreamHub', () => {
  let teardown: Array<() => void> = [];
  afterEach(() => {
    teardown.forEach((stop) => stop());
    teardown = [];
  });

  it('ends a stream whose read fails, so its client reconnects instead of waiting forever', async () => {
    const { backlog, hub, notify } = setUp();
    teardown.push(() => hub.beforeApplicationShutdown());
    const client = collect(await hub.stream('t1', 'test', null));
    await settle();
    backlog.failNext = true;
    backlog.add('t1');
    notify('t1:test');
    await settle();
    expect(client.state.completed).toBe(true);
  });

  it('reads the backlog once per notification for all clients of a tenant, each from its own cursor', async () => {
    const { backlog, hub, notify } = setUp();
    teardown.push(() => hub.beforeApplicationShutdown());
    backlog.add('t1');
    backlog.add('t1');
    const clients = [];
    for (let i = 0; i < 50; i++) clients.push(collect(await hub.stream('t1', 'test', i === 0 ? '1' : null)));
    await settle();
    backlog.reads = 0;
    backlog.add('t1');
    notify('t1:test');
    await settle();
    expect(backlog.reads).toBe(1);
    expect(clients[0].ids).toEqual(['2', '3']);
    expect(clients.slice(1).every((c) => c.ids.join() === '3')).toBe(true);
  });

  it('reads again when news arrives during a read, so nothing published meanwhile is missed', async () => {
    const { backlog, hub, notify } = setUp();
    teardown.push(() => hub.beforeApplicationShutdown());
    const client = collect(await hub.stream('t1', 'test', null));
    await settle();
    let open!: () => void;
    backlog.gate = new Promise((resolve) => (open = resolve));
    backlog.add('t1');
    notify('t1:test');
    backlog.add('t1');
    notify('t1:test');
    backlog.gate = undefined;
    open();
    await settle();
    expect(client.ids).toEqual(['1', '2']);
  });

  it('replays a client that joins during a read from its own cursor, not from the read’s', async () => {
    const { backlog, hub, notify } = setUp();
    teardown.push(() => hub.beforeApplicationShutdown());
    for (let i = 0; i < 5; i++) backlog.add('t1');
    const ahead = collect(await hub.stream('t1', 'test', '5'));
    await settle();
    let open!: () => void;
    backlog.gate = new Promise((resolve) => (open = resolve));
    backlog.add('t1');
    notify('t1:test');
    const behind = collect(await hub.stream('t1', 'test', '2'));
    backlog.gate = undefined;
    open();
    await settle();
    expect(ahead.ids).toEqual(['6']);
    expect(behind.ids).toEqual(['3', '4', '5', '6']);
  });

  it('delivers on the safety sweep when a notification was lost', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const { backlog, hub } = setUp();
      teardown.push(() => hub.beforeApplicationShutdown());
      const client = collect(await hub.stream('t1', 'test', null));
      await settle();
      backlog.add('t1');
      await settle();
      expect(client.ids).toEqual([]);
      vi.advanceTimersByTime(SAFETY_SWEEP_MS);
      await settle();
      expect(client.ids).toEqual(['1']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('catches every group up when the notification connection comes back (*)', async () => {
    const { backlog, hub, notify } = setUp();
    teardown.push(() => hub.beforeApplicationShutdown());
    const a = collect(await hub.stream('a', 'test', null));
    const b = collect(await hub.stream('b', 'live', null));
    await settle();
    backlog.add('a');
    backlog.add('b', 'live');
    backlog.add('b', 'test');
    notify('*');
    await settle();
    expect([a.ids, b.ids]).toEqual([['1'], ['2']]);
  });

  it('ends open streams at shutdown and refuses new ones', async () => {
    const { hub } = setUp();
    const client = collect(await hub.stream('t1', 'test', null));
    hub.beforeApplicationShutdown();
    expect(client.state.completed).toBe(true);
    await expect(hub.stream('t1', 'test', null)).rejects.toMatchObject({ code: 'service_unavailable', status: 503 });
  });
});
