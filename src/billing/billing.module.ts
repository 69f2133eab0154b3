import { type DynamicModule, Module } from '@nestjs/common';
import { PlanCatalog } from './plan-catalog.js';
import { StripeModule } from './stripe/stripe.module.js';
import type { StripeSettings } from './stripe/stripe-settings.js';

@Module({})
export class BillingModule {
  /** `stripe` is null when billing is disabled (ENABLE_BILLING=false): no gateway, no Stripe calls. */
  static forRoot(stripe: StripeSettings | null): DynamicModule {
    return {
      module: BillingModule,
      global: true,
      imports: stripe ? [StripeModule.forRoot(stripe)] : [],
      providers: [PlanCatalog],
      exports: [PlanCatalog, ...(stripe ? [StripeModule] : [])],
    };
  }
}
