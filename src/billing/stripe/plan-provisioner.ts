import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { PlanCatalog } from '../../plans/plan-catalog.js';
import { OVERAGE } from '../../plans/plans.js';
import { PRICE_LOOKUP_KEYS, type PricedItem } from './price-lookup-keys.js';
import { StripeGateway } from './stripe-gateway.js';

export interface ProvisionResult {
  prices: Record<PricedItem, string>;
  meterId: string;
  meterEventName: string;
  /** What this run created; empty when everything already existed. */
  created: string[];
}

/**
 * Creates, idempotently by lookup key, the monthly price of every paid plan, the Billing Meter
 * for overage and its metered price. Running it again finds everything and creates nothing.
 */
@Injectable()
export class PlanProvisioner {
  constructor(
    private readonly gateway: StripeGateway,
    private readonly catalog: PlanCatalog,
  ) {}

  async provision(meterEventName: string): Promise<ProvisionResult> {
    const created: string[] = [];
    const existing = await this.gateway.call('prices.list', (stripe) =>
      stripe.prices.list({ lookup_keys: Object.values(PRICE_LOOKUP_KEYS), limit: 100 }),
    );
    const byKey = new Map(existing.data.map((price) => [price.lookup_key, price]));
    const prices = {} as Record<PricedItem, string>;

    for (const plan of this.catalog.all().filter((p) => p.priceCents > 0)) {
      const lookupKey = PRICE_LOOKUP_KEYS[plan.id as Exclude<PricedItem, 'overage'>];
      const current = byKey.get(lookupKey);
      const matches =
        current &&
        current.active &&
        current.unit_amount === plan.priceCents &&
        current.currency === plan.currency &&
        current.recurring?.interval === plan.interval &&
        current.recurring?.usage_type === 'licensed';
      if (current && matches) {
        prices[plan.id as PricedItem] = current.id;
        continue;
      }
      const price = await this.gateway.call(
        'prices.create',
        (stripe, options) =>
          stripe.prices.create(
            {
              currency: plan.currency,
              unit_amount: plan.priceCents,
              recurring: { interval: plan.interval },
              lookup_key: lookupKey,
              // Also takes the key from an archived price that `active: true` listing cannot see.
              transfer_lookup_key: true,
              product_data: { name: `${plan.name} plan`, metadata: { plan_id: plan.id } },
              metadata: { plan_id: plan.id },
            },
            options,
          ),
        `setup:price:${lookupKey}:${plan.priceCents}:${current?.id ?? 'first'}`,
      );
      prices[plan.id as PricedItem] = price.id;
      created.push(`${lookupKey} (${price.id})`);
    }

    const meter = await this.findOrCreateMeter(meterEventName, created);
    const overage = byKey.get(PRICE_LOOKUP_KEYS.overage);
    prices.overage =
      overage &&
      overage.active &&
      overage.recurring?.meter === meter.id &&
      overage.unit_amount === OVERAGE.unitAmountCents &&
      overage.transform_quantity?.divide_by === OVERAGE.perCharacters
        ? overage.id
        : await this.createOveragePrice(meter.id, created);
    return { prices, meterId: meter.id, meterEventName, created };
  }

  private async findOrCreateMeter(eventName: string, created: string[]): Promise<Stripe.Billing.Meter> {
    const meters = await this.gateway.call('billing.meters.list', (stripe) =>
      stripe.billing.meters.list({ status: 'active', limit: 100 }),
    );
    const found = meters.data.find((meter) => meter.event_name === eventName);
    if (found) return found;
    const meter = await this.gateway.call(
      'billing.meters.create',
      (stripe, options) =>
        stripe.billing.meters.create(
          {
            display_name: 'API characters',
            event_name: eventName,
            default_aggregation: { formula: 'sum' },
            customer_mapping: { event_payload_key: 'stripe_customer_id', type: 'by_id' },
            value_settings: { event_payload_key: 'value' },
          },
          options,
        ),
      `setup:meter:${eventName}`,
    );
    created.push(`meter ${eventName} (${meter.id})`);
    return meter;
  }

  private async createOveragePrice(meterId: string, created: string[]): Promise<string> {
    const price = await this.gateway.call(
      'prices.create',
      (stripe, options) =>
        stripe.prices.create(
          {
            currency: 'usd',
            unit_amount: OVERAGE.unitAmountCents,
            recurring: { interval: 'month', usage_type: 'metered', meter: meterId },
            transform_quantity: { divide_by: OVERAGE.perCharacters, round: 'up' },
            lookup_key: PRICE_LOOKUP_KEYS.overage,
            transfer_lookup_key: true,
            product_data: {
              name: `Overage (per ${OVERAGE.perCharacters.toLocaleString('en-US')} characters)`,
              metadata: { plan_id: 'overage' },
            },
          },
          options,
        ),
      `setup:price:${PRICE_LOOKUP_KEYS.overage}:${meterId}`,
    );
    created.push(`${PRICE_LOOKUP_KEYS.overage} (${price.id})`);
    return price.id;
  }
}
