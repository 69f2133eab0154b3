import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EntitlementsModule } from '../entitlements/entitlements.module.js';
import { UsageCounter } from './usage-counter.entity.js';
import { UsageService } from './usage.service.js';

/** Usage counters and rate-limit windows; enforces what entitlements grant. */
@Module({
  imports: [TypeOrmModule.forFeature([UsageCounter]), EntitlementsModule],
  providers: [UsageService],
  exports: [UsageService],
})
export class UsageModule {}
