import { type DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ClsModule } from 'nestjs-cls';
import { AuditModule } from '../audit/audit.module.js';
import { BillingOperationsModule } from '../billing/billing-operations.module.js';
import { DomainEventsModule } from '../common/events/domain-events.module.js';
import type { AppConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { IdentityModule } from '../identity/identity.module.js';

/** What the operator commands need: no HTTP server, the same database, services and audit trail. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        ClsModule.forRoot({ global: true }),
        EventEmitterModule.forRoot(),
        DatabaseModule.forRoot(databaseUrl),
        DomainEventsModule,
        AuditModule,
        IdentityModule,
        BillingOperationsModule,
      ],
    };
  }
}
