import { type DynamicModule, Module } from '@nestjs/common';
import { PlanCatalog } from '../plan-catalog.js';
import { PlanPrices } from './plan-prices.js';
import { PlanProvisioner } from './plan-provisioner.js';
import { StripeBootstrap } from './stripe-bootstrap.js';
import { StripeGateway } from './stripe-gateway.js';
import { stripeMetricProviders } from './stripe-metrics.js';
import { STRIPE_SETTINGS, type StripeSettings } from './stripe-settings.js';

/** The Stripe gateway and what sets Stripe up; used by billing and by the `stripe:setup` command. */
@Module({})
export class StripeModule {
  static forRoot(settings: StripeSettings, options: { bootstrap?: boolean } = {}): DynamicModule {
    return {
      module: StripeModule,
      providers: [
        { provide: STRIPE_SETTINGS, useValue: settings },
        ...stripeMetricProviders,
        StripeGateway,
        PlanCatalog,
        PlanPrices,
        PlanProvisioner,
        ...(options.bootstrap === false ? [] : [StripeBootstrap]),
      ],
      exports: [StripeGateway, PlanPrices, PlanProvisioner, STRIPE_SETTINGS],
    };
  }
}
