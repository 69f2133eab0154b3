import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Entitlement } from './entitlement.entity.js';
import { EntitlementsRepository } from './entitlements.repository.js';
import { EntitlementsService } from './entitlements.service.js';

/** Entitlements per tenant and env; plan limits come from the (global) billing module's catalog. */
@Module({
  imports: [TypeOrmModule.forFeature([Entitlement])],
  providers: [EntitlementsRepository, EntitlementsService],
  exports: [EntitlementsService],
})
export class EntitlementsModule {}
