import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import type { PlanId } from '../../plans/plans.js';
import type { PricedItem } from './price-lookup-keys.js';

/** Which Stripe price sells each plan (and the overage), from configuration or provisioning. */
@Injectable()
export class PlanPrices {
  private readonly ids: Partial<Record<PricedItem, string>>;
  meterEventName: string;

  constructor(config: AppConfig) {
    const { prices, meterEventName } = config.billing;
    this.ids = { starter: prices.starter, pro: prices.pro, enterprise: prices.enterprise, overage: prices.overage };
    this.meterEventName = meterEventName;
  }

  use(ids: Record<PricedItem, string>, meterEventName: string): void {
    Object.assign(this.ids, ids);
    this.meterEventName = meterEventName;
  }

  priceFor(item: PricedItem): string | undefined {
    return this.ids[item];
  }

  planForPrice(priceId: string): PlanId | undefined {
    const entry = Object.entries(this.ids).find(([item, id]) => id === priceId && item !== 'overage');
    return entry?.[0] as PlanId | undefined;
  }

  missing(): PricedItem[] {
    return (['starter', 'pro', 'enterprise', 'overage'] as const).filter((item) => !this.ids[item]);
  }
}
