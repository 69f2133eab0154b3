import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resourceMissing } from './stripe-error.js';

export type StripeObject = Record<string, any>;

export interface StoredResponse {
  fingerprint: string;
  status: number;
  body: unknown;
}

/** How a customer's saved card behaves: succeed always, or fail every charge after the first. */
export type CardBehaviour = 'succeeds' | 'fails_later';

const COLLECTIONS = {
  cus: 'customers',
  prod: 'products',
  price: 'prices',
  cs: 'checkout_sessions',
  bps: 'portal_sessions',
  sub: 'subscriptions',
  in: 'invoices',
  mtr: 'meters',
  evt: 'events',
  we: 'webhook_endpoints',
} as const;

type Collection = (typeof COLLECTIONS)[keyof typeof COLLECTIONS];

const emptyData = () => ({
  customers: {} as Record<string, StripeObject>,
  products: {} as Record<string, StripeObject>,
  prices: {} as Record<string, StripeObject>,
  checkout_sessions: {} as Record<string, StripeObject>,
  portal_sessions: {} as Record<string, StripeObject>,
  subscriptions: {} as Record<string, StripeObject>,
  invoices: {} as Record<string, StripeObject>,
  meters: {} as Record<string, StripeObject>,
  events: {} as Record<string, StripeObject>,
  webhook_endpoints: {} as Record<string, StripeObject>,
  meter_events: [] as StripeObject[],
  customer_cards: {} as Record<string, CardBehaviour>,
  /** What a checkout session will subscribe to; Stripe keeps these off the session object. */
  checkout_orders: {} as Record<
    string,
    { line_items: Array<{ price: string; quantity: number }>; subscription_metadata: Record<string, string> }
  >,
  /** Proration lines waiting for the subscription's next invoice. */
  pending_lines: {} as Record<string, StripeObject[]>,
  idempotency: {} as Record<string, StoredResponse>,
  clock_offset: 0,
});

export type EmulatorData = ReturnType<typeof emptyData>;

/** All emulator state, optionally persisted to one JSON file so `npm start` keeps it across restarts. */
export class EmulatorStore {
  data: EmulatorData;
  private saveTimer?: NodeJS.Timeout;

  constructor(private readonly file?: string) {
    if (file) mkdirSync(path.dirname(file), { recursive: true });
    this.data = file && existsSync(file) ? { ...emptyData(), ...JSON.parse(readFileSync(file, 'utf8')) } : emptyData();
  }

  collection(name: Collection): Record<string, StripeObject> {
    return this.data[name];
  }

  put(name: Collection, object: StripeObject): StripeObject {
    this.data[name][object.id] = object;
    this.changed();
    return object;
  }

  get(name: Collection, id: string, kind: string, param = 'id'): StripeObject {
    const object = this.data[name][id];
    if (!object) throw resourceMissing(kind, id, param);
    return object;
  }

  /** Finds any stored object by its id prefix, for `expand`. */
  byId(id: string): StripeObject | undefined {
    const prefix = id.startsWith('cs_') ? 'cs' : id.split('_')[0];
    const name = COLLECTIONS[prefix as keyof typeof COLLECTIONS];
    return name ? this.data[name][id] : undefined;
  }

  reset(): void {
    this.data = emptyData();
    this.changed();
  }

  changed(): void {
    if (!this.file || this.saveTimer) return;
    this.saveTimer = setTimeout(() => this.flush(), 50);
    this.saveTimer.unref();
  }

  flush(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.file) return;
    // Holds webhook signing secrets: readable by its owner only.
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.data), { mode: 0o600 });
    renameSync(`${this.file}.tmp`, this.file);
  }
}
