import { Module } from '@nestjs/common';
import { PlanCatalog } from './plan-catalog.js';

/** The plan catalog: tiers, prices, limits and features. Every module above reads plans from here. */
@Module({
  providers: [PlanCatalog],
  exports: [PlanCatalog],
})
export class PlansModule {}
