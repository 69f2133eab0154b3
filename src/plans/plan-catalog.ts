import { Injectable } from '@nestjs/common';
import { PLANS, type Plan, type PlanId } from './plans.js';

/** The plan table every other module reads limits and features from. */
@Injectable()
export class PlanCatalog {
  all(): readonly Plan[] {
    return PLANS;
  }

  find(id: string): Plan | undefined {
    return PLANS.find((plan) => plan.id === id);
  }

  get(id: PlanId): Plan {
    return this.find(id)!;
  }
}
