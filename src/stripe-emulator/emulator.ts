import { randomBytes } from 'node:crypto';
import { Clock } from './clock.js';
import type { EmulatorContext } from './context.js';
import { EventBus } from './event-bus.js';
import { Invoices } from './invoices.js';
import { newId } from './ids.js';
import { buildEmulatorServer } from './server.js';
import { withShape } from './shapes.js';
import { lockStateFile } from './state-lock.js';
import { EmulatorStore } from './store.js';
import { Subscriptions } from './subscriptions.js';
import { type DispatcherOptions, WebhookDispatcher } from './webhook-dispatcher.js';

export interface StripeEmulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** The one secret key the emulator accepts. */
  secretKey?: string;
  /** Persist state here, so a restart keeps customers and subscriptions. */
  stateFile?: string;
  /** Where browsers reach the emulator (defaults to http://host:port). */
  publicUrl?: string;
  webhooks?: DispatcherOptions;
}

export interface StripeEmulator {
  url: string;
  port: number;
  secretKey: string;
  context: EmulatorContext;
  /** Registers a webhook endpoint (as `POST /v1/webhook_endpoints` would) and returns its secret. */
  addWebhookEndpoint(url: string, enabledEvents?: string[], secret?: string): string;
  /** Resolves when every webhook delivery has succeeded or run out of attempts. */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export const DEFAULT_EMULATOR_KEY = 'sk_test_emulator';

/** A local Stripe: the API over HTTP, hosted pages, events and signed webhooks. A dev and test tool only. */
export async function startStripeEmulator(options: StripeEmulatorOptions = {}): Promise<StripeEmulator> {
  const host = options.host ?? '127.0.0.1';
  const secretKey = options.secretKey ?? DEFAULT_EMULATOR_KEY;
  const lock = options.stateFile ? lockStateFile(options.stateFile) : { release: () => undefined };
  const store = new EmulatorStore(options.stateFile);
  const clock = new Clock((offset) => {
    store.data.clock_offset = offset;
    store.changed();
  });
  clock.restore(store.data.clock_offset);
  const dispatcher = new WebhookDispatcher(options.webhooks);
  const events = new EventBus(store, clock, dispatcher);
  const invoices = new Invoices(store, clock, events);
  const context: EmulatorContext = {
    store,
    clock,
    events,
    dispatcher,
    invoices,
    subscriptions: new Subscriptions(store, clock, events, invoices),
    secretKey,
    publicUrl: '',
    faults: { remaining: 0, mode: 'error', hang_ms: 30_000 },
    latency: { ms: 0, remaining: 0, inFlight: 0 },
    idempotencyInProgress: new Set(),
  };
  const app = buildEmulatorServer(context);
  try {
    await app.listen({ port: options.port ?? 0, host });
  } catch (error) {
    lock.release();
    throw error;
  }
  const port = (app.server.address() as { port: number }).port;
  const url = `http://${host}:${port}`;
  context.publicUrl = options.publicUrl ?? url;

  return {
    url,
    port,
    secretKey,
    context,
    addWebhookEndpoint(endpointUrl, enabledEvents = ['*'], secret) {
      const existing = Object.values(store.collection('webhook_endpoints')).find((e) => e.url === endpointUrl);
      if (existing) {
        if (secret) existing.secret = secret;
        existing.enabled_events = enabledEvents;
        store.changed();
        return existing.secret;
      }
      const endpoint = withShape('webhook_endpoint', {
        id: newId('we', 24),
        object: 'webhook_endpoint',
        url: endpointUrl,
        enabled_events: enabledEvents,
        status: 'enabled',
        livemode: false,
        metadata: {},
        secret: secret ?? `whsec_${randomBytes(24).toString('hex')}`,
      });
      store.put('webhook_endpoints', endpoint);
      return endpoint.secret;
    },
    idle: (timeoutMs) => dispatcher.idle(timeoutMs),
    async stop() {
      dispatcher.stop();
      store.data.clock_offset = clock.offset;
      store.flush();
      await app.close();
      lock.release();
    },
  };
}
