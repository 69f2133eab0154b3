import { Module } from '@nestjs/common';

/** Entitlements per tenant and env; plan limits come from the (global) billing module's catalog. */
@Module({})
export class EntitlementsModule {}
