import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DomainEventsModule } from '../common/events/domain-events.module.js';
import { EntitlementsModule } from '../entitlements/entitlements.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { PlansModule } from '../plans/plans.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { rateLimitedProvider } from '../observability/rate-limit-metrics.js';
import { billingMetricProviders } from './billing-metrics.js';
import { BillingOperationsModule } from './billing-operations.module.js';
import { BillingRecordsRepository } from './billing-records.repository.js';
import { BillingStatusService } from './billing-status.service.js';
import { BillingController } from './billing.controller.js';
import { BillingService } from './billing.service.js';
import { CheckoutService } from './checkout.service.js';
import { CompExpiry } from './comps/comp-expiry.js';
import { CompsController } from './comps/comps.controller.js';
import { CompsService } from './comps/comps.service.js';
import { BillingCustomer } from './entities/billing-customer.entity.js';
import { InvoiceRecord } from './entities/invoice-record.entity.js';
import { SubscriptionRecord } from './entities/subscription-record.entity.js';
import { OverageOutboxGauge } from './overage/overage-outbox.gauge.js';
import { OverageReporter } from './overage/overage-reporter.js';
import { OverageReportsRepository } from './overage/overage-reports.repository.js';
import { OverageSchedule } from './overage/overage-schedule.js';
import { StripeModule } from './stripe/stripe.module.js';
import type { StripeSettings } from './stripe/stripe-settings.js';
import { StripeRouteCountersRepository } from './stripe-route-counters.repository.js';
import { StripeRouteLimit } from './stripe-route-limit.js';
import { SubscriptionManagementService } from './subscription-management.service.js';
import { SubscriptionWriter } from './subscription-writer.js';
import { StripeEventRecord } from './webhooks/stripe-event.entity.js';
import { webhookControllers, webhookProviders } from './webhooks/webhook-parts.js';

@Module({})
export class BillingModule {
  /** `stripe` is null when billing is disabled (ENABLE_BILLING=false): Stripe actions answer billing_disabled, no webhook route. */
  static forRoot(stripe: StripeSettings | null): DynamicModule {
    return {
      module: BillingModule,
      imports: [
        TypeOrmModule.forFeature([BillingCustomer, SubscriptionRecord, InvoiceRecord, StripeEventRecord]),
        DomainEventsModule,
        BillingOperationsModule,
        IdentityModule,
        PlansModule,
        UsageModule,
        EntitlementsModule,
        stripe ? StripeModule.forRoot(stripe) : StripeModule.disabled(),
      ],
      controllers: [BillingController, CompsController, ...(stripe ? webhookControllers : [])],
      providers: [
        ...billingMetricProviders,
        rateLimitedProvider,
        StripeRouteCountersRepository,
        StripeRouteLimit,
        BillingRecordsRepository,
        BillingService,
        BillingStatusService,
        CheckoutService,
        SubscriptionManagementService,
        SubscriptionWriter,
        CompsService,
        CompExpiry,
        OverageReportsRepository,
        OverageReporter,
        OverageOutboxGauge,
        ...(stripe ? [OverageSchedule, ...webhookProviders] : []),
      ],
      exports: [BillingService],
    };
  }
}
