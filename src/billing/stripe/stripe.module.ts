import { type DynamicModule, Module } from '@nestjs/common';
import { PlansModule } from '../../plans/plans.module.js';
import { PlanPrices } from './plan-prices.js';
import { PlanProvisioner } from './plan-provisioner.js';
import { StripeBootstrap } from './stripe-bootstrap.js';
import { ConfiguredStripeConnection, DisabledStripeConnection, StripeConnection } from './stripe-connection.js';
import { StripeDeadline, StripeDeadlineInterceptor } from './stripe-deadline.js';
import { StripeGateway } from './stripe-gateway.js';
import { stripeMetricProviders } from './stripe-metrics.js';
import { STRIPE_SETTINGS, type StripeSettings } from './stripe-settings.js';

/** The Stripe gateway and what sets Stripe up; used by billing and by the `stripe:setup` command. */
@Module({})
export class StripeModule {
  static forRoot(settings: StripeSettings, options: { bootstrap?: boolean } = {}): DynamicModule {
    return {
      module: StripeModule,
      imports: [PlansModule],
      providers: [
        { provide: STRIPE_SETTINGS, useValue: settings },
        ...stripeMetricProviders,
        StripeDeadline,
        StripeDeadlineInterceptor,
        StripeGateway,
        { provide: StripeConnection, useClass: ConfiguredStripeConnection },
        PlanPrices,
        PlanProvisioner,
        ...(options.bootstrap === false ? [] : [StripeBootstrap]),
      ],
      exports: [
        StripeGateway,
        StripeConnection,
        PlanPrices,
        PlanProvisioner,
        STRIPE_SETTINGS,
        StripeDeadline,
        StripeDeadlineInterceptor,
      ],
    };
  }

  /** Billing turned off: the same StripeConnection, answering `billing_disabled` to every action. */
  static disabled(): DynamicModule {
    return {
      module: StripeModule,
      providers: [
        { provide: StripeConnection, useClass: DisabledStripeConnection },
        PlanPrices,
        StripeDeadline,
        StripeDeadlineInterceptor,
      ],
      exports: [StripeConnection, PlanPrices, StripeDeadline, StripeDeadlineInterceptor],
    };
  }
}
