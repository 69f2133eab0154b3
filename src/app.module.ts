import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ClsModule } from 'nestjs-cls';
import type { Logger } from 'pino';
import { AuditModule } from './audit/audit.module.js';
import { BillingStreamModule } from './billing-stream/billing-stream.module.js';
import { BillingModule } from './billing/billing.module.js';
import type { StripeSettings } from './billing/stripe/stripe-settings.js';
import { AllExceptionsFilter } from './common/http/all-exceptions.filter.js';
import { createValidationPipe } from './common/http/validation.pipe.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DocsModule } from './api-docs/docs.module.js';
import { EntitlementsModule } from './entitlements/entitlements.module.js';
import { HealthModule } from './health/health.module.js';
import { IdentityModule } from './identity/identity.module.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { PlansModule } from './plans/plans.module.js';
import { SummarizeModule } from './summarize/summarize.module.js';
import { UsageModule } from './usage/usage.module.js';

export interface AppModuleOptions {
  config: AppConfig;
  databaseUrl: string;
  logger: Logger;
  /** Resolved at start-up; null when billing is disabled. */
  stripe: StripeSettings | null;
}

@Module({})
export class AppModule {
  static forRoot({ config, databaseUrl, logger, stripe }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        // Not mounted as middleware (it cost a quarter of the request path): a callback-style onRequest hook
        // (app.factory.ts) opens each request's context.
        ClsModule.forRoot({ global: true }),
        // Lower layers emit what higher ones record (audit entries, billing stream events): see common/events.
        EventEmitterModule.forRoot(),
        ObservabilityModule.forRoot(logger),
        DatabaseModule.forRoot(databaseUrl, config.databasePoolSize),
        IdentityModule,
        PlansModule,
        UsageModule,
        EntitlementsModule,
        BillingModule.forRoot(stripe),
        AuditModule,
        BillingStreamModule,
        HealthModule,
        SummarizeModule,
        DocsModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
