import { Module } from '@nestjs/common';
import { PlanCatalog } from './plan-catalog.js';

@Module({
  providers: [PlanCatalog],
  exports: [PlanCatalog],
})
export class BillingModule {}
