import { Module } from '@nestjs/common';
import { EntitlementsModule } from '../entitlements/entitlements.module.js';

/** Usage counters and rate-limit windows; enforces what entitlements grant. */
@Module({
  imports: [EntitlementsModule],
})
export class UsageModule {}
