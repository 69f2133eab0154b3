import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsageModule } from '../usage/usage.module.js';
import { EntitlementCache } from './entitlement-cache.js';
import { Entitlement } from './entitlement.entity.js';
import { EntitlementGuard } from './entitlement.guard.js';
import { EntitlementsController } from './entitlements.controller.js';
import { EntitlementsRepository } from './entitlements.repository.js';
import { EntitlementsService } from './entitlements.service.js';
import { MeteringService } from './metering.service.js';
import { SettleMeteredResponse } from './settle-metered-response.js';
import { UsageController } from './usage.controller.js';

/**
 * Entitlements per tenant and env, and their enforcement. Another module protects a route by
 * importing this one and adding @RequireFeature() or @Metered() (see docs/entitlements.md).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Entitlement]), UsageModule],
  controllers: [EntitlementsController, UsageController],
  providers: [
    EntitlementsRepository,
    EntitlementsService,
    EntitlementCache,
    EntitlementGuard,
    MeteringService,
    SettleMeteredResponse,
  ],
  exports: [EntitlementsService, EntitlementGuard, EntitlementCache, UsageModule],
})
export class EntitlementsModule {}
