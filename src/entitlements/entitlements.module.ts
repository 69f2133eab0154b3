import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityModule } from '../identity/identity.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { CompsController } from './comps.controller.js';
import { CompsService } from './comps.service.js';
import { EntitlementCache } from './entitlement-cache.js';
import { Entitlement } from './entitlement.entity.js';
import { EntitlementGuard } from './entitlement.guard.js';
import { EntitlementsRepository } from './entitlements.repository.js';
import { EntitlementsService } from './entitlements.service.js';
import { MeteringController } from './metering.controller.js';
import { MeteringService } from './metering.service.js';
import { SettleMeteredResponse } from './settle-metered-response.js';

/**
 * Entitlements per tenant and env, and their enforcement. Another module protects a route by
 * importing this one and adding @RequireFeature() or @Metered() (see docs/entitlements.md).
 */
@Module({
  imports: [TypeOrmModule.forFeature([Entitlement]), UsageModule, IdentityModule],
  controllers: [MeteringController, CompsController],
  providers: [EntitlementsRepository, EntitlementsService, EntitlementCache, EntitlementGuard, MeteringService, SettleMeteredResponse, CompsService],
  exports: [EntitlementsService, EntitlementGuard, EntitlementCache, UsageModule],
})
export class EntitlementsModule {}
