import { Module } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module.js';

/** Entitlements per tenant and env; reads plan limits from the billing catalog. */
@Module({
  imports: [BillingModule],
})
export class EntitlementsModule {}
