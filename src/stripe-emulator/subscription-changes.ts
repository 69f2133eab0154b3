import { newId } from './ids.js';
import type { LineInput } from './invoices.js';
import { amountFor, isMetered, remainingFraction } from './pricing.js';
import type { EmulatorStore, StripeObject } from './store.js';
import { invalidRequest } from './stripe-error.js';

export interface ItemParam {
  id?: string;
  price?: string;
  quantity?: string;
  deleted?: string;
  metadata?: Record<string, string>;
}

interface ItemChange {
  before?: { price: StripeObject; quantity: number };
  after?: { price: StripeObject; quantity: number };
  itemId: string;
}

export interface PlannedChange {
  items: StripeObject[];
  changes: ItemChange[];
}

const quantityOf = (item: StripeObject) => (isMetered(item.price) ? 0 : (item.quantity ?? 1));

export function newItem(
  subscriptionId: string,
  price: StripeObject,
  quantity: number | null,
  period: { start: number; end: number },
  created: number,
) {
  return {
    id: newId('si'),
    object: 'subscription_item',
    created,
    discounts: [],
    metadata: {},
    price,
    plan: null,
    quantity: isMetered(price) ? null : quantity,
    subscription: subscriptionId,
    tax_rates: [],
    current_period_start: period.start,
    current_period_end: period.end,
    billing_thresholds: null,
  };
}

export const periodOf = (subscription: StripeObject) => ({
  start: subscription.items.data[0].current_period_start as number,
  end: subscription.items.data[0].current_period_end as number,
});

/** Works out the item list an `items[]` update produces, and what changed, without changing anything. */
export function planItemChanges(
  store: EmulatorStore,
  subscription: StripeObject,
  params: ItemParam[] = [],
  now: number,
): PlannedChange {
  const items: StripeObject[] = structuredClone(subscription.items.data);
  const changes: ItemChange[] = [];
  params.forEach((param, index) => {
    const price = param.price ? store.get('prices', param.price, 'price', `items[${index}][price]`) : undefined;
    if (param.id) {
      const position = items.findIndex((item) => item.id === param.id);
      if (position < 0)
        throw invalidRequest(`No such subscription item: '${param.id}'`, `items[${index}][id]`, 'resource_missing');
      const item = items[position];
      const before = { price: item.price, quantity: quantityOf(item) };
      if (param.deleted === 'true') {
        items.splice(position, 1);
        changes.push({ before, itemId: item.id });
        return;
      }
      if (price) item.price = price;
      if (param.quantity !== undefined && !isMetered(item.price)) item.quantity = Number(param.quantity);
      if (isMetered(item.price)) item.quantity = null;
      changes.push({ before, after: { price: item.price, quantity: quantityOf(item) }, itemId: item.id });
      return;
    }
    if (!price) throw invalidRequest('Each item needs a price or an id.', `items[${index}]`, 'parameter_missing');
    if (items.some((item) => item.price.id === price.id)) {
      throw invalidRequest('Cannot add multiple subscription items with the same price.', `items[${index}][price]`);
    }
    const added = newItem(subscription.id, price, Number(param.quantity ?? 1), periodOf(subscription), now);
    items.push(added);
    changes.push({ after: { price, quantity: quantityOf(added) }, itemId: added.id });
  });
  if (items.length === 0) throw invalidRequest('A subscription must keep at least one item.', 'items');
  return { items, changes };
}

const describeDate = (at: number) => new Date(at * 1000).toISOString().slice(0, 10);

/** Stripe's proration lines: a credit for unused time on what was, a charge for the rest of the period on what is. */
export function prorationLines(
  store: EmulatorStore,
  subscription: StripeObject,
  changes: ItemChange[],
  at: number,
): LineInput[] {
  const period = periodOf(subscription);
  const fraction = remainingFraction(period.start, period.end, at);
  const productName = (price: StripeObject) => store.collection('products')[price.product]?.name ?? price.product;
  const lines: LineInput[] = [];
  for (const change of changes) {
    const { before, after } = change;
    const same = before && after && before.price.id === after.price.id && before.quantity === after.quantity;
    if (same) continue;
    if (before && before.quantity > 0) {
      lines.push({
        amount: -Math.round(amountFor(before.price, before.quantity) * fraction),
        description: `Unused time on ${before.quantity} × ${productName(before.price)} after ${describeDate(at)}`,
        price: before.price,
        quantity: before.quantity,
        period: { start: at, end: period.end },
        subscriptionItem: change.itemId,
        proration: true,
      });
    }
    if (after && after.quantity > 0) {
      lines.push({
        amount: Math.round(amountFor(after.price, after.quantity) * fraction),
        description: `Remaining time on ${after.quantity} × ${productName(after.price)} after ${describeDate(at)}`,
        price: after.price,
        quantity: after.quantity,
        period: { start: at, end: period.end },
        subscriptionItem: change.itemId,
        proration: true,
      });
    }
  }
  return lines;
}

/** Lines for a full period of every licensed item: the next renewal's charges. */
export function periodLines(
  store: EmulatorStore,
  subscription: StripeObject,
  items: StripeObject[],
  period: { start: number; end: number },
): LineInput[] {
  return items
    .filter((item) => !isMetered(item.price))
    .map((item) => ({
      amount: amountFor(item.price, item.quantity ?? 1),
      description: `${item.quantity ?? 1} × ${store.collection('products')[item.price.product]?.name ?? item.price.product}`,
      price: item.price,
      quantity: item.quantity ?? 1,
      period,
      subscriptionItem: item.id,
      proration: false,
    }));
}
