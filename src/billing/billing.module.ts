import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module.js';
import { EntitlementsModule } from '../entitlements/entitlements.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { BillingRecordsRepository } from './billing-records.repository.js';
import { BillingStatusService } from './billing-status.service.js';
import { BillingController } from './billing.controller.js';
import { billingMetricProviders } from './billing-metrics.js';
import { BillingService } from './billing.service.js';
import { CheckoutService } from './checkout.service.js';
import { CompExpiry } from './comp-expiry.service.js';
import { BillingCustomer } from './entities/billing-customer.entity.js';
import { InvoiceRecord } from './entities/invoice-record.entity.js';
import { SubscriptionRecord } from './entities/subscription-record.entity.js';
import { PlanCatalog } from './plan-catalog.js';
import { StripeModule } from './stripe/stripe.module.js';
import type { StripeSettings } from './stripe/stripe-settings.js';
import { SubscriptionManagementService } from './subscription-management.service.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

@Module({})
export class BillingModule {
  /** `stripe` is null when billing is disabled (ENABLE_BILLING=false): no Stripe calls, no webhook route. */
  static forRoot(stripe: StripeSettings | null): DynamicModule {
    const stripeModule = stripe ? StripeModule.forRoot(stripe) : undefined;
    return {
      module: BillingModule,
      global: true,
      imports: [
        TypeOrmModule.forFeature([BillingCustomer, SubscriptionRecord, InvoiceRecord]),
        EntitlementsModule,
        UsageModule,
        AuditModule,
        ...(stripeModule ? [stripeModule, WebhooksModule] : []),
      ],
      controllers: [BillingController],
      providers: [...billingMetricProviders, PlanCatalog, BillingRecordsRepository, BillingService, BillingStatusService, CheckoutService, SubscriptionManagementService, CompExpiry],
      exports: [PlanCatalog, BillingService, ...(stripeModule ? [StripeModule] : [])],
    };
  }
}
