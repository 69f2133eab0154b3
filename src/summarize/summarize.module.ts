import { Module } from '@nestjs/common';
import { EntitlementsModule } from '../entitlements/entitlements.module.js';
import { SummarizeController } from './summarize.controller.js';

/** A product module: importing EntitlementsModule and decorating routes is all metering takes. */
@Module({
  imports: [EntitlementsModule],
  controllers: [SummarizeController],
})
export class SummarizeModule {}
